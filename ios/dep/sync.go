package dep

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	depclient "github.com/micromdm/nanodep/client"
	"github.com/micromdm/nanodep/godep"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// SyncInterval is how often every tenant's devices are synced: a device bought in the
// morning is ready for its employee after lunch.
const SyncInterval = time.Hour

// pageSize is how many devices one request asks for (Apple's maximum).
const pageSize = 1000

// SyncAllJob has the devices of every tenant with a server token synced.
type SyncAllJob struct{}

// Kind names the job's worker.
func (SyncAllJob) Kind() string { return "ios_dep_sync_all" }

// SyncJob syncs one tenant's devices and assigns them the enrolment profile.
type SyncJob struct {
	TenantID string `json:"tenant_id"`
}

// Kind names the job's worker.
func (SyncJob) Kind() string { return "ios_dep_sync" }

// Device is a device the tenant bought and assigned to this MDM server in Apple Business
// Manager.
type Device struct {
	TenantID      string    `gorm:"primaryKey" json:"-"`
	SerialNumber  string    `gorm:"primaryKey" json:"serial_number"`
	Model         string    `json:"model"`
	Description   string    `json:"description"`
	DeviceFamily  string    `json:"device_family"`
	ProfileUUID   string    `gorm:"column:profile_uuid" json:"profile_uuid"`
	ProfileStatus string    `json:"profile_status"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// TableName is the table of synced devices.
func (Device) TableName() string { return "ios_dep_devices" }

// SyncAll is the worker of SyncAllJob.
func (s *Service) SyncAll(ctx context.Context, _ SyncAllJob) error {
	var tenants []string
	if err := s.db.WithContext(ctx).Model(&tokenRow{}).Where("sealed_tokens IS NOT NULL").Pluck("tenant_id", &tenants).Error; err != nil {
		return fmt.Errorf("tenants with a server token: %w", err)
	}
	for _, id := range tenants {
		err := s.tables.Atomic(ctx, func(tx *store.Tx) error {
			return tx.EnqueueJob(ctx, SyncJob{TenantID: id}, mdm.JobOptions{Unique: true})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Sync is the worker of SyncJob: it defines the tenant's enrolment profile with Apple if
// it has none, fetches the devices (all of them the first time, then what changed after
// the cursor), keeps them, and assigns the profile to every device without it. What
// failed is kept as the token's problem for the dashboard; the job is tried again by the
// queue.
func (s *Service) Sync(ctx context.Context, job SyncJob) error {
	if _, err := s.tokens(ctx, job.TenantID); errors.Is(err, mdm.ErrNotFound) {
		return nil // the token was removed since
	}
	err := s.sync(ctx, job.TenantID)
	problem := ""
	if err != nil {
		problem = err.Error()
	}
	update := map[string]any{"problem": problem}
	if err == nil {
		update["synced_at"] = s.cfg.Now().UTC()
	}
	if uerr := s.db.WithContext(ctx).Model(&tokenRow{}).Where("tenant_id = ?", job.TenantID).Updates(update).Error; uerr != nil {
		return errors.Join(err, uerr)
	}
	return err
}

func (s *Service) sync(ctx context.Context, tenantID string) error {
	c := godep.NewClient(apple{s}, godep.WithClient(s.cfg.Client), godep.WithUserAgent("trennwand"))
	if err := s.account(ctx, c, tenantID); err != nil {
		return err
	}
	row, err := s.row(ctx, tenantID)
	if err != nil {
		return err
	}
	profile := row.ProfileUUID
	if profile == "" {
		if profile, err = s.defineProfile(ctx, c, tenantID); err != nil {
			return err
		}
	}
	if err := s.fetch(ctx, c, tenantID, row.SyncCursor); err != nil {
		return err
	}
	return s.assign(ctx, c, tenantID, profile)
}

// account reads the name of the server and the organisation from Apple.
func (s *Service) account(ctx context.Context, c *godep.Client, tenantID string) error {
	acc, err := c.AccountDetail(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("account details from Apple: %w", err)
	}
	return s.db.WithContext(ctx).Model(&tokenRow{}).Where("tenant_id = ?", tenantID).
		Updates(map[string]any{"server_name": deref(acc.ServerName), "org_name": deref(acc.OrgName)}).Error
}

// defineProfile defines the tenant's enrolment profile with Apple: the devices enrol at
// the server's enrolment URL after the employee has entered the code of a company
// invitation on the server's sign-in page; they are supervised, and the enrolment can be
// neither skipped nor removed on the device (IT removes it).
func (s *Service) defineProfile(ctx context.Context, c *godep.Client, tenantID string) (string, error) {
	name, web, mandatory, supervised := "trennwand", s.cfg.WebURL(tenantID), true, true
	url := s.cfg.EnrolURL(tenantID)
	p := &godep.ProfileJson{ProfileName: &name, Url: &url, ConfigurationWebUrl: &web, IsMandatory: &mandatory,
		IsSupervised: &supervised, IsMdmRemovable: false}
	for _, der := range s.cfg.AnchorCerts {
		p.AnchorCerts = append(p.AnchorCerts, base64.StdEncoding.EncodeToString(der))
	}
	resp, err := c.DefineProfile(ctx, tenantID, p)
	if err != nil {
		return "", fmt.Errorf("define the enrolment profile with Apple: %w", err)
	}
	uuid := deref(resp.ProfileUuid)
	if uuid == "" {
		return "", errors.New("define the enrolment profile with Apple: no profile UUID in the answer")
	}
	err = s.db.WithContext(ctx).Model(&tokenRow{}).Where("tenant_id = ?", tenantID).Update("profile_uuid", uuid).Error
	return uuid, err
}

// fetch reads the devices from Apple: every device when there is no cursor yet (or Apple
// no longer knows it), else the changes after it; each page is kept with the cursor that
// follows it, so that a sync cut short goes on from there.
func (s *Service) fetch(ctx context.Context, c *godep.Client, tenantID, cursor string) error {
	full := cursor == ""
	for {
		var resp *godep.FetchDeviceResponseJson
		var err error
		opts := []godep.DeviceRequestOption{godep.WithLimit(pageSize)}
		if cursor != "" {
			opts = append(opts, godep.WithCursor(cursor))
		}
		if full {
			resp, err = c.FetchDevices(ctx, tenantID, opts...)
		} else {
			resp, err = c.SyncDevices(ctx, tenantID, opts...)
		}
		if !full && (godep.IsCursorExhausted(err) || godep.IsCursorExpired(err) || godep.IsCursorInvalid(err)) {
			full, cursor = true, ""
			continue
		}
		if err != nil {
			return fmt.Errorf("devices from Apple: %w", err)
		}
		if err := s.keep(ctx, tenantID, resp.Devices, resp.Cursor); err != nil {
			return err
		}
		cursor = resp.Cursor
		if !resp.MoreToFollow {
			return nil
		}
	}
}

// keep stores a page of devices and the cursor after it in one transaction: added and
// modified devices are written, deleted ones dropped.
func (s *Service) keep(ctx context.Context, tenantID string, devices []godep.DeviceJson, cursor string) error {
	now := s.cfg.Now().UTC()
	return s.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		for _, d := range devices {
			if d.SerialNumber == "" {
				continue
			}
			if d.OpType != nil && *d.OpType == godep.DeviceJsonOpTypeDeleted {
				if err := tx.Where("tenant_id = ? AND serial_number = ?", tenantID, d.SerialNumber).Delete(&Device{}).Error; err != nil {
					return fmt.Errorf("forget device %s: %w", d.SerialNumber, err)
				}
				continue
			}
			row := Device{TenantID: tenantID, SerialNumber: d.SerialNumber, Model: d.Model, Description: deref(d.Description),
				DeviceFamily: derefAs(d.DeviceFamily), ProfileUUID: deref(d.ProfileUuid), ProfileStatus: derefAs(d.ProfileStatus), UpdatedAt: now}
			err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "serial_number"}}, UpdateAll: true}).Create(&row).Error
			if err != nil {
				return fmt.Errorf("keep device %s: %w", d.SerialNumber, err)
			}
		}
		return tx.Model(&tokenRow{}).Where("tenant_id = ?", tenantID).Update("sync_cursor", cursor).Error
	})
}

// assign gives the tenant's profile to every synced device that does not have it, a
// thousand at a time, each batch with its audit event.
func (s *Service) assign(ctx context.Context, c *godep.Client, tenantID, profile string) error {
	var serials []string
	err := s.db.WithContext(ctx).Model(&Device{}).Where("tenant_id = ? AND profile_uuid <> ?", tenantID, profile).
		Order("serial_number").Pluck("serial_number", &serials).Error
	if err != nil {
		return fmt.Errorf("devices without the enrolment profile: %w", err)
	}
	for batch := range slices.Chunk(serials, pageSize) {
		resp, err := c.AssignProfile(ctx, tenantID, profile, batch...)
		if err != nil {
			return fmt.Errorf("assign the enrolment profile: %w", err)
		}
		var done []string
		for serial, status := range resp.Devices {
			if status == godep.AssignProfileResponseJsonDevicesValueSUCCESS {
				done = append(done, serial)
			}
		}
		slices.Sort(done)
		if len(done) == 0 {
			continue
		}
		err = s.tables.Atomic(ctx, func(dom *store.Tx) error {
			if err := dom.DB(ctx).Model(&Device{}).Where("tenant_id = ? AND serial_number IN ?", tenantID, done).
				Updates(map[string]any{"profile_uuid": profile, "profile_status": "assigned"}).Error; err != nil {
				return fmt.Errorf("record the assigned profile: %w", err)
			}
			return s.record(ctx, dom, tenantID, audit.Record{Actor: "system:dep", Action: audit.AppleDEPProfileAssign,
				Subject: audit.Tenant.Of(tenantID), Details: audit.Fields(map[string]any{"profile": profile, "devices": done})})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Devices returns the tenant's synced devices, by serial number.
func (s *Service) Devices(ctx context.Context, tenantID string) ([]Device, error) {
	var out []Device
	err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("serial_number").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("devices from Apple Business Manager: %w", err)
	}
	return out, nil
}

// Device returns the tenant's synced device with the serial number; found is false for a
// serial number the tenant did not assign to this server.
func (s *Service) Device(ctx context.Context, tenantID, serial string) (d Device, found bool, err error) {
	err = s.db.WithContext(ctx).Where("tenant_id = ? AND serial_number = ?", tenantID, serial).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Device{}, false, nil
	}
	return d, err == nil, err
}

// Bought reports whether the tenant assigned the device with the serial number to this
// server in Apple Business Manager (as the last sync saw it).
func (s *Service) Bought(ctx context.Context, tenantID, serial string) (bool, error) {
	_, found, err := s.Device(ctx, tenantID, serial)
	return found, err
}

// apple gives nanodep's client the tenant's tokens and the service's URL; the DEP name is
// the tenant's ID.
type apple struct{ s *Service }

func (a apple) RetrieveAuthTokens(ctx context.Context, tenantID string) (*depclient.OAuth1Tokens, error) {
	return a.s.tokens(ctx, tenantID)
}

func (a apple) RetrieveConfig(context.Context, string) (*depclient.Config, error) {
	return &depclient.Config{BaseURL: a.s.cfg.URL}, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefAs[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
