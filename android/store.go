package android

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// The platform's rows in the android_ tables (migrations/). Every query names its tenant.

// enterprise is a tenant's binding to its Android enterprise.
type enterprise struct {
	TenantID       string `gorm:"primaryKey"`
	EnterpriseName string
	PubsubTopic    string
	PushSecretHash []byte
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (enterprise) TableName() string { return "android_enterprises" }

// signup is a sign-up begun for a tenant; its ID travels as the callback's state.
type signup struct {
	ID            string `gorm:"primaryKey"`
	TenantID      string
	SignupURLName string `gorm:"column:signup_url_name"`
	CreatedAt     time.Time
}

func (signup) TableName() string { return "android_signups" }

// policy is the AMAPI policy of one work policy.
type policy struct {
	TenantID       string `gorm:"primaryKey"`
	WorkPolicyID   string `gorm:"primaryKey"`
	PolicyName     string
	AppliedVersion int64
	UpdatedAt      time.Time
}

func (policy) TableName() string { return "android_policies" }

// message is a Pub/Sub message processed.
type message struct {
	TenantID   string `gorm:"primaryKey"`
	MessageID  string `gorm:"primaryKey"`
	ReceivedAt time.Time
}

func (message) TableName() string { return "android_messages" }

// operation ties an AMAPI operation to the command it carries out.
type operation struct {
	OperationName string `gorm:"primaryKey"`
	TenantID      string
	CommandID     string
	CreatedAt     time.Time
}

func (operation) TableName() string { return "android_operations" }

// now is the time as the database keeps it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// atomic runs fn in the one transaction, where the platform writes its own rows (db) and
// the domain's (tx) with their audit events.
func (p *Platform) atomic(ctx context.Context, fn func(tx mdm.Store, db *gorm.DB, at time.Time) error) error {
	at := p.svc.Now().UTC().Truncate(time.Microsecond) // the domain's clock: a report's time is its contact
	return p.tables.Atomic(ctx, func(tx *store.Tx) error { return fn(tx, tx.DB(ctx), at) })
}

// first returns the one row of type T that the conditions select, or mdm.ErrNotFound.
func first[T any](ctx context.Context, db *gorm.DB, query string, args ...any) (T, error) {
	var row T
	err := db.WithContext(ctx).Where(query, args...).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, mdm.ErrNotFound
	}
	return row, err
}

// binding returns the tenant's enterprise binding; ErrNotBound when there is none.
func (p *Platform) binding(ctx context.Context, tenantID string) (enterprise, error) {
	e, err := first[enterprise](ctx, p.db, "tenant_id = ?", tenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return e, ErrNotBound
	}
	return e, err
}

// ErrNotBound means the tenant has no Android enterprise yet.
var ErrNotBound = fmt.Errorf("%w: the tenant has no Android enterprise: bind one first (trennwand android bind, or the sign-up in the dashboard)", mdm.ErrInvalid)

// markSeen records a Pub/Sub message of the tenant; it reports false for one seen before.
func (p *Platform) markSeen(ctx context.Context, tenantID, messageID string) (bool, error) {
	res := p.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&message{TenantID: tenantID, MessageID: messageID, ReceivedAt: now()})
	if res.Error != nil {
		return false, fmt.Errorf("record message %s: %w", messageID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// forget removes the record of a message whose processing failed, so that Pub/Sub's next
// delivery is processed.
func (p *Platform) forget(ctx context.Context, tenantID, messageID string) error {
	return p.db.WithContext(ctx).Where("tenant_id = ? AND message_id = ?", tenantID, messageID).Delete(&message{}).Error
}

// pruneMessages forgets message IDs older than Pub/Sub keeps a message for redelivery.
func (p *Platform) pruneMessages(ctx context.Context, before time.Time) error {
	return p.db.WithContext(ctx).Where("received_at < ?", before).Delete(&message{}).Error
}
