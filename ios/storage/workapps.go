package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm/store"
)

// WorkApp is a work app trennwand has put on an enrolment.
type WorkApp struct {
	EnrollmentID string `gorm:"primaryKey"`
	BundleID     string `gorm:"primaryKey"`
	TenantID     string
	DeviceID     string
	ConfigHash   string
	State        string
	Error        string
	CommandUUID  string
	// Version is the app's version where the phone reports it (declarative status).
	Version   string
	UpdatedAt time.Time
}

// TableName is the table of work apps.
func (WorkApp) TableName() string { return "ios_work_apps" }

// The states of a work app.
const (
	AppQueued    = "queued"
	AppInstalled = "installed"
	AppFailed    = "failed"
	AppRemoving  = "removing"
)

// WorkApps returns the work apps of the enrolments, by enrolment.
func (s *Storage) WorkApps(ctx context.Context, enrollmentIDs []string) (map[string][]WorkApp, error) {
	out := make(map[string][]WorkApp, len(enrollmentIDs))
	for _, part := range chunks(enrollmentIDs) {
		var rows []WorkApp
		if err := s.conn(ctx).Where("enrollment_id IN ?", part).Order("bundle_id").Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("read work apps: %w", err)
		}
		for _, r := range rows {
			out[r.EnrollmentID] = append(out[r.EnrollmentID], r)
		}
	}
	return out, nil
}

// DeviceWorkApps returns the work apps of one device of the tenant.
func (s *Storage) DeviceWorkApps(ctx context.Context, tenantID, deviceID string) ([]WorkApp, error) {
	var rows []WorkApp
	err := s.conn(ctx).Where("tenant_id = ? AND device_id = ?", tenantID, deviceID).Order("bundle_id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read work apps of device %s: %w", deviceID, err)
	}
	return rows, nil
}

// PutWorkApps writes the rows in tx (the transaction that queues their command).
func PutWorkApps(tx *gorm.DB, rows []WorkApp) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.Clauses(clause.OnConflict{UpdateAll: true}).CreateInBatches(rows, 200).Error
}

// AppsRefused records work apps that cannot be installed (their licence cannot be had)
// as failed, with the reason, in a transaction of their own: no command goes with them.
func (s *Storage) AppsRefused(ctx context.Context, rows []WorkApp) error {
	return s.tables.Atomic(ctx, func(tx *store.Tx) error { return PutWorkApps(tx.DB(ctx), rows) })
}

// AppCommandResult records an enrolment's answer to a work-app command: an acknowledged
// install or configuration makes the app installed, an acknowledged removal forgets it,
// an error marks it failed with the reason. Answers to other commands change nothing.
func (s *Storage) AppCommandResult(ctx context.Context, enrollmentID, commandUUID string, ok bool, errText string) error {
	q := s.conn(ctx).Model(&WorkApp{}).Where("enrollment_id = ? AND command_uuid = ?", enrollmentID, commandUUID)
	var err error
	switch {
	case !ok:
		err = q.Updates(map[string]any{"state": AppFailed, "error": errText, "updated_at": s.clock()}).Error
	default:
		err = s.conn(ctx).Where("enrollment_id = ? AND command_uuid = ? AND state = ?", enrollmentID, commandUUID, AppRemoving).
			Delete(&WorkApp{}).Error
		if err == nil {
			err = q.Where("state <> ?", AppRemoving).Updates(map[string]any{"state": AppInstalled, "error": "", "updated_at": s.clock()}).Error
		}
	}
	if err != nil {
		return fmt.Errorf("record result of %s: %w", commandUUID, err)
	}
	return nil
}

// AppInventory records what the phone's ManagedApplicationList said about the work apps
// of the enrolment: an app it lists as managed is installed; one that failed is failed.
// Apps not tracked here are ignored, whatever the phone lists.
func (s *Storage) AppInventory(ctx context.Context, enrollmentID string, status map[string]string) error {
	for bundle, st := range status {
		set := map[string]any{"updated_at": s.clock()}
		switch st {
		case "Managed":
			set["state"], set["error"] = AppInstalled, ""
		case "Failed", "ManagedButUninstalled", "UserRejected", "UserInstalledApp":
			set["state"], set["error"] = AppFailed, "the phone reports "+st
		default:
			continue
		}
		err := s.conn(ctx).Model(&WorkApp{}).Where("enrollment_id = ? AND bundle_id = ? AND state <> ?", enrollmentID, bundle, AppRemoving).
			Updates(set).Error
		if err != nil {
			return fmt.Errorf("record app inventory: %w", err)
		}
	}
	return nil
}
