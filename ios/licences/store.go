package licences

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// vppToken is a tenant's row of ios_vpp_tokens.
type vppToken struct {
	TenantID     string `gorm:"primaryKey"`
	SealedToken  []byte
	Organisation string
	ExpiresAt    time.Time
	Problem      string
	SyncedAt     *time.Time
	UpdatedAt    time.Time
}

func (vppToken) TableName() string { return "ios_vpp_tokens" }

// vppAsset is an app of a tenant's catalogue.
type vppAsset struct {
	TenantID       string `gorm:"primaryKey"`
	AdamID         string `gorm:"primaryKey"`
	BundleID       string
	Name           string
	PricingParam   string
	TotalCount     int
	AssignedCount  int
	AvailableCount int
	SyncedAt       time.Time
}

func (vppAsset) TableName() string { return "ios_vpp_assets" }

// vppUser is an employee as Apple's Apps and Books knows them.
type vppUser struct {
	TenantID       string `gorm:"primaryKey"`
	EmployeeID     string `gorm:"primaryKey"`
	ManagedAppleID string
	State          string
	EventID        string
	UpdatedAt      time.Time
}

func (vppUser) TableName() string { return "ios_vpp_users" }

// The states of an Apple user.
const (
	userCreating = "creating"
	userCreated  = "created"
)

// vppLicence is the licence of one app that one employee holds or is to hold.
type vppLicence struct {
	TenantID   string `gorm:"primaryKey"`
	EmployeeID string `gorm:"primaryKey"`
	AdamID     string `gorm:"primaryKey"`
	State      string
	Error      string
	EventID    string
	UpdatedAt  time.Time
}

func (vppLicence) TableName() string { return "ios_vpp_licences" }

// The states of a licence.
const (
	licencePending     = "pending"
	licenceAssociating = "associating"
	licenceAssociated  = "associated"
	licenceFailed      = "failed"
	licenceReleasing   = "releasing"
)

// token returns the tenant's token row; mdm.ErrNotFound when there is none.
func (lic *Service) token(ctx context.Context, tenantID string) (vppToken, error) {
	var row vppToken
	err := lic.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, sql.ErrNoRows) {
		return vppToken{}, fmt.Errorf("%w: no Apps and Books token uploaded for the tenant", mdm.ErrNotFound)
	} else if err != nil {
		return vppToken{}, fmt.Errorf("read the Apps and Books token: %w", err)
	}
	row.ExpiresAt, row.UpdatedAt = row.ExpiresAt.UTC(), row.UpdatedAt.UTC()
	return row, nil
}

// sToken opens the tenant's content token.
func (lic *Service) sToken(ctx context.Context, tenantID string) (string, vppToken, error) {
	row, err := lic.token(ctx, tenantID)
	if err != nil {
		return "", row, err
	}
	plain, err := lic.sealer.Open(vppTokenPurpose(tenantID), row.SealedToken)
	if err != nil {
		return "", row, fmt.Errorf("open the Apps and Books token: %w", err)
	}
	return string(plain), row, nil
}

// assets returns the tenant's catalogue, by bundle ID.
func (lic *Service) assets(ctx context.Context, db *gorm.DB, tenantID string) (map[string]vppAsset, error) {
	var rows []vppAsset
	if err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("name, adam_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read the Apps and Books catalogue: %w", err)
	}
	out := make(map[string]vppAsset, len(rows))
	for _, r := range rows {
		if _, dup := out[r.BundleID]; !dup {
			out[r.BundleID] = r
		}
	}
	return out, nil
}

// licences returns the tenant's licences in the states (all when none).
func (lic *Service) licences(ctx context.Context, db *gorm.DB, tenantID string, states ...string) ([]vppLicence, error) {
	q := db.WithContext(ctx).Where("tenant_id = ?", tenantID)
	if len(states) > 0 {
		q = q.Where("state IN ?", states)
	}
	var rows []vppLicence
	if err := q.Order("adam_id, employee_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read the licences: %w", err)
	}
	return rows, nil
}

// employeeLicences returns the licences of the tenant's employees, in any state; all the
// tenant's when employees is nil.
func (lic *Service) employeeLicences(ctx context.Context, tenantID string, employees []string) ([]vppLicence, error) {
	if employees == nil {
		return lic.licences(ctx, lic.db, tenantID)
	}
	var out []vppLicence
	for chunk := range slices.Chunk(distinct(employees), 500) {
		var rows []vppLicence
		err := lic.db.WithContext(ctx).Where("tenant_id = ? AND employee_id IN ?", tenantID, chunk).Order("adam_id, employee_id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("read the employees' licences: %w", err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// licenceBatch is how many of a tenant's licences eachLicenceBatch reads at a time.
const licenceBatch = 500

// eachLicenceBatch calls fn with the tenant's licences of the employees with an ID after
// from and up to to (every one after from when to is empty), licenceBatch at a time in the
// order of their keys, so that a large fleet's are never read at once. (Employee IDs are
// never empty.)
func (lic *Service) eachLicenceBatch(ctx context.Context, tenantID, from, to string, fn func([]vppLicence) error) error {
	return eachPage(licenceBatch, func(after vppLicence) *gorm.DB {
		q := lic.db.WithContext(ctx).Where("tenant_id = ? AND employee_id > ? AND (employee_id, adam_id) > (?, ?)", tenantID, from, after.EmployeeID, after.AdamID)
		if to != "" {
			q = q.Where("employee_id <= ?", to)
		}
		return q.Order("employee_id, adam_id")
	}, fn)
}

// passPage is how many licences in one state a pass of the association or the release
// reads at a time; a variable so that tests can make many pages of a few licences.
var passPage = 500

// eachLicencePage calls page with the tenant's licences in state, passPage at a time in
// the order of their keys (the index ios_vpp_licences_state), so that a pass after a large
// reconciliation holds a page of them and not all. Rows page changes are read no more.
func (lic *Service) eachLicencePage(ctx context.Context, tenantID, state string, page func([]vppLicence) error) error {
	return eachPage(passPage, func(after vppLicence) *gorm.DB {
		return lic.db.WithContext(ctx).Where("tenant_id = ? AND state = ? AND (adam_id, employee_id) > (?, ?)", tenantID, state, after.AdamID, after.EmployeeID).
			Order("adam_id, employee_id")
	}, page)
}

// eachPage calls fn with the licences that query reads, n at a time: query is given the
// last licence of the page before (none for the first) and asks for those after it in the
// order it pages by.
func eachPage(n int, query func(after vppLicence) *gorm.DB, fn func([]vppLicence) error) error {
	var after vppLicence
	for {
		var rows []vppLicence
		if err := query(after).Limit(n).Find(&rows).Error; err != nil {
			return fmt.Errorf("read the licences: %w", err)
		}
		if len(rows) > 0 {
			if err := fn(rows); err != nil {
				return err
			}
		}
		if len(rows) < n {
			return nil
		}
		after = rows[len(rows)-1]
	}
}

// putLicences writes licence rows, replacing those with the same key.
func putLicences(tx *gorm.DB, rows []vppLicence) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(rows, 200).Error; err != nil {
		return fmt.Errorf("write licences: %w", err)
	}
	return nil
}

// setTokenProblem records why Apple refused the tenant's token (” when it works again).
func (lic *Service) setTokenProblem(ctx context.Context, tenantID, problem string) error {
	err := lic.db.WithContext(ctx).Model(&vppToken{}).Where("tenant_id = ?", tenantID).Update("problem", problem).Error
	if err != nil {
		return fmt.Errorf("record the Apps and Books token's problem: %w", err)
	}
	return nil
}
