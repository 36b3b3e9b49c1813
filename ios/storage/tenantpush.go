package storage

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/micromdm/nanomdm/cryptoutil"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// TenantPush is the MDM push certificate a tenant's enrolment profiles name.
type TenantPush struct {
	Topic     string
	NotAfter  time.Time
	UpdatedAt time.Time
}

// SetTenantPushCert stores the push certificate and its key (see StorePushCert) and makes
// it the tenant's, in one transaction; then, if not nil, runs in that transaction too (the
// audit event). It returns what the tenant now has.
func (s *Storage) SetTenantPushCert(ctx context.Context, tenantID string, pemCert, pemKey []byte, then func(tx *store.Tx, p TenantPush) error) (TenantPush, error) {
	topic, err := cryptoutil.TopicFromPEMCert(pemCert)
	if err != nil {
		return TenantPush{}, fmt.Errorf("push certificate: %w", err)
	}
	block, _ := pem.Decode(pemCert)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return TenantPush{}, fmt.Errorf("push certificate: %w", err)
	}
	p := TenantPush{Topic: topic, NotAfter: cert.NotAfter.UTC().Truncate(time.Microsecond), UpdatedAt: s.clock()}
	err = s.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		in := *s
		in.db = tx
		if err := in.StorePushCert(ctx, pemCert, pemKey); err != nil {
			return err
		}
		err := tx.Exec(`INSERT INTO ios_tenant_push (tenant_id, topic, not_after, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant_id) DO UPDATE SET topic = excluded.topic, not_after = excluded.not_after, updated_at = excluded.updated_at`,
			tenantID, p.Topic, p.NotAfter, p.UpdatedAt).Error
		if err != nil {
			return fmt.Errorf("assign push certificate to tenant: %w", err)
		}
		if then != nil {
			return then(dom, p)
		}
		return nil
	})
	if err != nil {
		return TenantPush{}, err
	}
	return p, nil
}

// TenantPushCert returns the tenant's push certificate; mdm.ErrNotFound when it has none.
func (s *Storage) TenantPushCert(ctx context.Context, tenantID string) (TenantPush, error) {
	var p TenantPush
	err := s.conn(ctx).Raw(`SELECT topic, not_after, updated_at FROM ios_tenant_push WHERE tenant_id = ?`, tenantID).
		Row().Scan(&p.Topic, &p.NotAfter, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return TenantPush{}, fmt.Errorf("%w: no APNs push certificate uploaded for the tenant", mdm.ErrNotFound)
	} else if err != nil {
		return TenantPush{}, fmt.Errorf("read the tenant's push certificate: %w", err)
	}
	p.NotAfter, p.UpdatedAt = p.NotAfter.UTC(), p.UpdatedAt.UTC()
	return p, nil
}
