package ios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/micromdm/nanomdm/cryptoutil"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// PushCertWarning is how long before its expiry a push certificate is reported as
// expiring: Apple lets it be renewed (same topic) until it has expired, and after that
// every iPhone of the tenant has to enrol again.
const PushCertWarning = 30 * 24 * time.Hour

// PushCertificate is what a tenant's MDM push certificate says about itself.
type PushCertificate struct {
	Topic     string    `json:"topic"`
	NotAfter  time.Time `json:"not_after"`
	UpdatedAt time.Time `json:"updated_at"`
	// Expiring is set from PushCertWarning before NotAfter on; Expired after it.
	Expiring bool `json:"expiring"`
	Expired  bool `json:"expired"`
}

func pushCertificate(p storage.TenantPush, now time.Time) PushCertificate {
	return PushCertificate{Topic: p.Topic, NotAfter: p.NotAfter, UpdatedAt: p.UpdatedAt,
		Expiring: now.Add(PushCertWarning).After(p.NotAfter), Expired: now.After(p.NotAfter)}
}

// PushCertificate returns the tenant's push certificate; mdm.ErrNotFound when none has
// been uploaded.
func (p *Platform) PushCertificate(ctx context.Context, tenantID string) (PushCertificate, error) {
	tp, err := p.store.TenantPushCert(ctx, tenantID)
	if err != nil {
		return PushCertificate{}, err
	}
	return pushCertificate(tp, time.Now()), nil
}

// SetPushCertificate makes the certificate (PEM, as Apple's push certificate portal issues
// it) with its private key (PEM) the tenant's MDM push certificate. It must be an MDM push
// certificate (topic com.apple.mgmt.…) that has not expired and that the key belongs to.
// A renewal keeps the topic, so enrolled phones are not affected; a new topic applies to
// enrolments from now on.
func (p *Platform) SetPushCertificate(ctx context.Context, actor string, tenantID string, certPEM, keyPEM []byte) (PushCertificate, error) {
	cert, err := checkPushCertificate(certPEM, keyPEM, time.Now())
	if err != nil {
		return PushCertificate{}, err
	}
	tp, err := p.store.SetTenantPushCert(ctx, tenantID, certPEM, keyPEM, func(tx *store.Tx, tp storage.TenantPush) error {
		return p.record(ctx, tx, tenantID, audit.Record{
			Actor: actor, Action: audit.ApplePushCertSet, Subject: audit.Tenant.Of(tenantID),
			Details: audit.Fields(map[string]any{"topic": tp.Topic, "not_after": tp.NotAfter.Format(time.RFC3339),
				"serial": cert.SerialNumber.String()}),
		})
	})
	if err != nil {
		return PushCertificate{}, fmt.Errorf("store push certificate: %w", err)
	}
	return pushCertificate(tp, time.Now()), nil
}

// checkPushCertificate refuses what cannot serve as an MDM push certificate, saying why.
func checkPushCertificate(certPEM, keyPEM []byte, now time.Time) (*x509.Certificate, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, mdm.Refuse("refusal.push_cert.pem", fmt.Errorf("%w: the push certificate is not a PEM certificate (convert Apple's .cer with: openssl x509 -inform der -in MDM_Certificate.cer -out push.pem)", mdm.ErrInvalid))
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, mdm.Refuse("refusal.push_cert.unreadable", fmt.Errorf("%w: the push certificate cannot be read: %v", mdm.ErrInvalid, err))
	}
	topic, err := cryptoutil.TopicFromCert(cert)
	if err != nil || !strings.HasPrefix(topic, "com.apple.mgmt.") {
		return nil, mdm.Refuse("refusal.push_cert.topic", fmt.Errorf("%w: this is not an MDM push certificate (its topic must begin with com.apple.mgmt.)", mdm.ErrInvalid))
	}
	if now.After(cert.NotAfter) {
		return nil, mdm.Refuse("refusal.push_cert.expired", fmt.Errorf("%w: the push certificate expired on %s; renew it at Apple's push certificates portal", mdm.ErrInvalid, cert.NotAfter.Format(time.DateOnly)),
			"Date", cert.NotAfter.Format(time.DateOnly))
	}
	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return nil, mdm.Refuse("refusal.push_cert.key", fmt.Errorf("%w: the private key does not belong to the push certificate (%v)", mdm.ErrInvalid, err))
	}
	return cert, nil
}

// topic returns the APNs topic the tenant's enrolment profiles name: its push
// certificate's, else the installation-wide setting; mdm.ErrNotFound when neither exists.
func (p *Platform) topic(ctx context.Context, tenantID string) (string, error) {
	tp, err := p.store.TenantPushCert(ctx, tenantID)
	if err == nil {
		return tp.Topic, nil
	}
	if errors.Is(err, mdm.ErrNotFound) && p.cfg.Topic != "" {
		return p.cfg.Topic, nil
	}
	return "", err
}

// PushCertCheckJob looks, once a day, for push certificates that expire soon.
type PushCertCheckJob struct{}

// Kind names the job's worker.
func (PushCertCheckJob) Kind() string { return "ios_push_cert_check" }

// CheckPushCertificates warns in the log about every tenant whose push certificate has
// expired or expires within PushCertWarning; it is the worker of PushCertCheckJob.
func (p *Platform) CheckPushCertificates(ctx context.Context, _ PushCertCheckJob) error {
	tenants, err := p.svc.Tenants(ctx)
	if err != nil {
		return err
	}
	for _, t := range tenants {
		pc, err := p.PushCertificate(ctx, t.ID)
		if errors.Is(err, mdm.ErrNotFound) {
			continue
		} else if err != nil {
			return err
		}
		switch {
		case pc.Expired:
			p.log.Error("the tenant's APNs push certificate has expired: iPhones cannot be woken; renew it at Apple", "tenant", t.Name, "topic", pc.Topic, "expired", pc.NotAfter)
		case pc.Expiring:
			p.log.Warn("the tenant's APNs push certificate expires soon: renew it at Apple with the same Apple ID and upload it", "tenant", t.Name, "topic", pc.Topic, "expires", pc.NotAfter)
		}
	}
	return nil
}

// WriteText writes the push certificate's topic and expiry for a person, with what to do
// when it expires soon or has expired.
func (pc PushCertificate) WriteText(w io.Writer) error {
	state := "valid"
	switch {
	case pc.Expired:
		state = "EXPIRED: iPhones cannot be reached; renew it at Apple and upload it again"
	case pc.Expiring:
		state = "expires within 30 days: renew it at Apple (same Apple ID) and upload it again"
	}
	_, err := fmt.Fprintf(w, "topic:    %s\nexpires:  %s (%s)\n", pc.Topic, pc.NotAfter.Local().Format(time.DateTime), state)
	return err
}
