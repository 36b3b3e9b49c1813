package ddm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// enrolmentRow is an enrolment that is managed declaratively, with the set it follows
// and the status items the core keeps no field of.
type enrolmentRow struct {
	EnrollmentID string `gorm:"primaryKey"`
	TenantID     string
	DeviceID     string
	SetToken     string
	OSBuild      string
	// PasscodePresent is "true", "false" or "" (not reported yet).
	PasscodePresent string
	Capabilities    string
	EnabledAt       time.Time
	StatusAt        *time.Time
}

// TableName is the table of declaratively managed enrolments.
func (enrolmentRow) TableName() string { return "ios_ddm_enrolments" }

// setRow is one declaration set of a tenant, stored once however many enrolments follow
// it; CreatedAt is when it was last assigned (the tokens' timestamp).
type setRow struct {
	TenantID  string `gorm:"primaryKey"`
	Token     string `gorm:"primaryKey"`
	Content   []byte
	CreatedAt time.Time
}

// TableName is the table of declaration sets.
func (setRow) TableName() string { return "ios_ddm_sets" }

// declarationRow is the state a phone last reported of one declaration.
type declarationRow struct {
	EnrollmentID string `gorm:"primaryKey"`
	Identifier   string `gorm:"primaryKey"`
	TenantID     string
	DeviceID     string
	ManifestType string
	Active       bool
	Valid        string
	ServerToken  string
	Reasons      string
	UpdatedAt    time.Time
}

// TableName is the table of reported declaration states.
func (declarationRow) TableName() string { return "ios_ddm_declaration_status" }

// ErrNotEnabled refuses a declarative management request of an enrolment that is not
// managed declaratively.
var ErrNotEnabled = errors.New("the enrolment is not managed declaratively")

// enrolment reads the tenant's declaratively managed enrolment.
func enrolment(ctx context.Context, db *gorm.DB, tenantID, enrollmentID string) (enrolmentRow, error) {
	var row enrolmentRow
	err := db.WithContext(ctx).Where("tenant_id = ? AND enrollment_id = ?", tenantID, enrollmentID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, ErrNotEnabled
	}
	if err != nil {
		return row, fmt.Errorf("read enrolment %s: %w", enrollmentID, err)
	}
	return row, nil
}

// set reads the tenant's declaration set with the token; an empty set for none.
func set(ctx context.Context, db *gorm.DB, tenantID, token string) (Set, time.Time, error) {
	if token == "" {
		return Set{}, time.Time{}, nil
	}
	var row setRow
	if err := db.WithContext(ctx).Where("tenant_id = ? AND token = ?", tenantID, token).Take(&row).Error; err != nil {
		return Set{}, time.Time{}, fmt.Errorf("read declaration set %s: %w", token, err)
	}
	var s Set
	if err := json.Unmarshal(row.Content, &s); err != nil {
		return Set{}, time.Time{}, fmt.Errorf("declaration set %s: %w", token, err)
	}
	s.Token = row.Token
	return s, row.CreatedAt, nil
}

// Enable makes the tenant's device's enrolment declaratively managed and records it in the
// audit trail in the same transaction; enabling it again changes nothing. An enrolling
// device gets its declaration set when its enrolment completes and its policy is applied;
// an enrolled one, moving later, gets it from the job that applies its policy to it, queued
// in the same transaction.
func Enable(ctx context.Context, tables store.Tables, d mdm.Device, at time.Time) error {
	row := enrolmentRow{EnrollmentID: d.PlatformID, TenantID: d.TenantID, DeviceID: d.ID, EnabledAt: at.UTC()}
	return tables.Atomic(ctx, func(tx *store.Tx) error {
		res := tx.DB(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return fmt.Errorf("enable declarative management of device %s: %w", d.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		_, err := tx.AppendAudit(ctx, d.TenantID, at, audit.Record{Actor: "device:" + d.ID, Action: audit.AppleDeclarativeOn,
			Subject: audit.Device.Of(d.ID), Details: audit.Fields(map[string]any{"os_version": d.OSVersion})})
		if err != nil || d.State != mdm.DeviceActive || d.WorkPolicyID == nil {
			return err
		}
		wp, err := tx.Policies().WorkPolicy(ctx, d.TenantID, *d.WorkPolicyID)
		if err != nil {
			return fmt.Errorf("work policy of device %s: %w", d.ID, err)
		}
		return mdm.EnqueuePolicyForNewDevice(ctx, tx, d.TenantID, wp, d.ID)
	})
}

// SetTokens returns the set token of each of the tenant's enrolments that is managed
// declaratively ("" for one that has no set yet); the others are left out.
func SetTokens(ctx context.Context, db *gorm.DB, tenantID string, enrollmentIDs []string) (map[string]string, error) {
	out := make(map[string]string, len(enrollmentIDs))
	for start := 0; start < len(enrollmentIDs); start += 1000 {
		part := enrollmentIDs[start:min(start+1000, len(enrollmentIDs))]
		var rows []enrolmentRow
		if err := db.WithContext(ctx).Select("enrollment_id", "set_token").Where("tenant_id = ? AND enrollment_id IN ?", tenantID, part).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read declaratively managed enrolments: %w", err)
		}
		for _, r := range rows {
			out[r.EnrollmentID] = r.SetToken
		}
	}
	return out, nil
}

// Assignment is a declaration set and the enrolments that are to follow it.
type Assignment struct {
	Set        Set
	Enrolments []string
}

// Assign stores the sets for the tenant (each once per content) and makes the enrolments
// of each follow it, in tx: the transaction that queues their sync command. Sets no
// enrolment follows any more are dropped (storage.DropUnusedSets).
func Assign(ctx context.Context, tx *gorm.DB, tenantID string, as []Assignment, at time.Time) error {
	db := tx.WithContext(ctx)
	rows := make([]setRow, len(as))
	for i, a := range as {
		content, err := json.Marshal(a.Set)
		if err != nil {
			return fmt.Errorf("encode declaration set: %w", err)
		}
		rows[i] = setRow{TenantID: tenantID, Token: a.Set.Token, Content: content, CreatedAt: at.UTC()}
	}
	stamp := clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "token"}}, DoUpdates: clause.AssignmentColumns([]string{"created_at"})}
	if len(rows) > 0 {
		if err := db.Clauses(stamp).CreateInBatches(rows, 100).Error; err != nil {
			return fmt.Errorf("store declaration sets: %w", err)
		}
	}
	for _, a := range as {
		for start := 0; start < len(a.Enrolments); start += 1000 {
			part := a.Enrolments[start:min(start+1000, len(a.Enrolments))]
			err := db.Model(&enrolmentRow{}).Where("tenant_id = ? AND enrollment_id IN ?", tenantID, part).Update("set_token", a.Set.Token).Error
			if err != nil {
				return fmt.Errorf("assign declaration set: %w", err)
			}
		}
	}
	return storage.DropUnusedSets(db, tenantID, at.Add(-storage.UnusedSetAfter))
}
