package ddm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	kddm "github.com/jessepeterson/kmfddm/ddm"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/store"
)

// ErrNoDeclaration answers a request for a declaration the enrolment's set does not hold: another enrolment's, another tenant's, or none at all.
var ErrNoDeclaration = errors.New("no such declaration in the enrolment's set")

// ErrStatus refuses a status report that cannot be read.
var ErrStatus = errors.New("malformed status report")

// Tokens is the tokens answer of a set made at `at`, which the DeclarativeManagement
// command also carries, so that the phone need not ask for it.
func Tokens(s Set, at time.Time) kddm.TokensResponse {
	return kddm.TokensResponse{SyncTokens: kddm.SynchronizationTokens{DeclarationsToken: s.Items().DeclarationsToken, Timestamp: at.UTC().Truncate(time.Second)}}
}

// Channel answers the DeclarativeManagement check-ins of authenticated enrolments from the
// installation's database, and takes their status reports into the core.
type Channel struct {
	tables store.Tables
	svc    *domain.Services
}

// NewChannel returns the channel on the installation's tables and the core's services.
func NewChannel(tables store.Tables, svc *domain.Services) *Channel {
	return &Channel{tables: tables, svc: svc}
}

// Serve answers one DeclarativeManagement check-in of device d, which the request has
// authenticated (enrolment token and device certificate): endpoint and data are the
// check-in's. Everything it reads is the device's tenant's and the device's enrolment's.
func (c *Channel) Serve(ctx context.Context, d mdm.Device, endpoint string, data []byte) ([]byte, error) {
	ep, err := ParseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	if ep.Kind == EndpointStatus {
		report, err := DecodeStatus(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrStatus, err)
		}
		return nil, c.Ingest(ctx, d, report)
	}
	s, created, err := c.setOf(ctx, d)
	if err != nil {
		return nil, err
	}
	var out any
	switch ep.Kind {
	case EndpointTokens:
		out = Tokens(s, created)
	case EndpointItems:
		out = s.Items()
	default:
		decl, ok := s.Declaration(ep.ManifestType, ep.Identifier)
		if !ok {
			return nil, fmt.Errorf("%w: %s/%.64s", ErrNoDeclaration, ep.ManifestType, ep.Identifier)
		}
		out = decl
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode the %s answer: %w", endpoint, err)
	}
	return body, nil
}

// Holds reports whether the set that device d's enrolment follows holds the declaration
// of the manifest type and identifier; ErrNotEnabled for an enrolment that is not managed
// declaratively.
func (c *Channel) Holds(ctx context.Context, d mdm.Device, manifestType, id string) (bool, error) {
	s, _, err := c.setOf(ctx, d)
	if err != nil {
		return false, err
	}
	_, ok := s.Declaration(manifestType, id)
	return ok, nil
}

// setOf reads the set device d's enrolment follows, with the time it was last assigned.
func (c *Channel) setOf(ctx context.Context, d mdm.Device) (Set, time.Time, error) {
	db := c.tables.DB()
	row, err := enrolment(ctx, db, d.TenantID, d.PlatformID)
	if err != nil {
		return Set{}, time.Time{}, err
	}
	return set(ctx, db, d.TenantID, row.SetToken)
}

// Ingest takes a status report of device d into the core in one transaction: the OS
// version into the device's status, the passcode into its compliance facts (with the
// verdict they settle), the work apps into what the platform keeps of them, the work
// area's certificates into the enrolment's list of them, and the rest (OS build, passcode
// presence, capabilities, declaration states) into the enrolment's row. What the report
// does not carry stays as it was.
func (c *Channel) Ingest(ctx context.Context, d mdm.Device, r StatusReport) error {
	return c.tables.Atomic(ctx, func(tx *store.Tx) error {
		at := c.svc.Now().UTC().Truncate(time.Microsecond) // the domain's clock: a report's time is its contact
		db := tx.DB(ctx)
		row, err := enrolment(ctx, db, d.TenantID, d.PlatformID)
		if err != nil {
			return err
		}
		dev, err := tx.Devices().Device(ctx, d.TenantID, d.ID)
		if err != nil {
			return fmt.Errorf("device %s: %w", d.ID, err)
		}
		if err := c.reportFacts(ctx, tx, dev, r, at); err != nil {
			return err
		}
		if r.AppsReported {
			if err := c.recordApps(ctx, db, row, r.Apps, at); err != nil {
				return err
			}
		}
		if r.DeclarationsReported {
			if err := recordDeclarations(db, row, r.Declarations, at); err != nil {
				return err
			}
		}
		if r.CertificatesReported {
			if err := recordCertificates(ctx, db, row, r, at); err != nil {
				return err
			}
		}
		return recordItems(db, row, r, at)
	})
}

// reportFacts hands the OS version and the passcode to the core's compliance, which owns
// both.
func (c *Channel) reportFacts(ctx context.Context, tx mdm.Store, d mdm.Device, r StatusReport, at time.Time) error {
	var facts compliance.Facts
	switch {
	case r.PasscodeCompliant != nil && !*r.PasscodeCompliant, r.PasscodePresent != nil && !*r.PasscodePresent:
		facts.Passcode = compliance.FindingFailed
	case r.PasscodeCompliant != nil:
		facts.Passcode = compliance.FindingMet
	}
	if r.OSVersion != nil && IsOSVersion(*r.OSVersion) && *r.OSVersion != d.OSVersion {
		report := compliance.StatusReport{Device: d, Status: compliance.WithOSVersion(d, *r.OSVersion), Facts: facts}
		return c.svc.Compliance.ReportStatuses(ctx, tx, at, []compliance.StatusReport{report})
	}
	if facts.Passcode == "" {
		return nil
	}
	return c.svc.Compliance.Check(ctx, tx, at, []compliance.Report{{Device: d, Facts: facts}})
}

// appStates maps the phone's app states to the rows': an app being installed or waiting
// for the employee is queued.
var appStates = map[string]string{"managed": storage.AppInstalled, "failed": storage.AppFailed, "managed-but-uninstalled": storage.AppFailed}

// recordApps writes what the phone reports of the work apps of its set into the rows the
// device page reads: only apps the set manages, whatever else the list holds.
func (c *Channel) recordApps(ctx context.Context, db *gorm.DB, row enrolmentRow, apps []AppStatus, at time.Time) error {
	s, _, err := set(ctx, db, row.TenantID, row.SetToken)
	if err != nil {
		return err
	}
	var put []storage.WorkApp
	for _, a := range apps {
		decl, ok := s.Declaration("configuration", identifierPrefix+"app."+a.BundleID)
		if !ok {
			continue
		}
		if a.Removed {
			if err := db.Where("tenant_id = ? AND enrollment_id = ? AND bundle_id = ?", row.TenantID, row.EnrollmentID, a.BundleID).Delete(&storage.WorkApp{}).Error; err != nil {
				return fmt.Errorf("forget work app %s: %w", a.BundleID, err)
			}
			continue
		}
		state, problem := appStates[a.State], ""
		switch state {
		case "":
			state = storage.AppQueued
		case storage.AppFailed:
			problem = "the phone reports " + a.State
		}
		put = append(put, storage.WorkApp{EnrollmentID: row.EnrollmentID, BundleID: a.BundleID, TenantID: row.TenantID, DeviceID: row.DeviceID,
			ConfigHash: decl.ServerToken, State: state, Error: problem, Version: a.Version, UpdatedAt: at.UTC()})
	}
	return storage.PutWorkApps(db, put)
}

// recordDeclarations replaces the enrolment's declaration states with the report's: the
// phone reports all of them whenever one changes.
func recordDeclarations(db *gorm.DB, row enrolmentRow, ds []DeclarationStatus, at time.Time) error {
	if err := db.Where("tenant_id = ? AND enrollment_id = ?", row.TenantID, row.EnrollmentID).Delete(&declarationRow{}).Error; err != nil {
		return fmt.Errorf("replace declaration states: %w", err)
	}
	seen := map[string]bool{}
	var rows []declarationRow
	for _, d := range ds {
		if d.Identifier == "" || seen[d.Identifier] {
			continue
		}
		seen[d.Identifier] = true
		rows = append(rows, declarationRow{EnrollmentID: row.EnrollmentID, Identifier: d.Identifier, TenantID: row.TenantID, DeviceID: row.DeviceID,
			ManifestType: d.ManifestType, Active: d.Active, Valid: d.Valid, ServerToken: d.ServerToken, Reasons: d.Reasons, UpdatedAt: at.UTC()})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := db.CreateInBatches(rows, 100).Error; err != nil {
		return fmt.Errorf("record declaration states: %w", err)
	}
	return nil
}

// recordItems writes the status items that only the enrolment's row keeps.
func recordItems(db *gorm.DB, row enrolmentRow, r StatusReport, at time.Time) error {
	cols := map[string]any{"status_at": at.UTC()}
	if r.OSBuild != nil {
		cols["os_build"] = *r.OSBuild
	}
	if r.PasscodePresent != nil {
		cols["passcode_present"] = fmt.Sprint(*r.PasscodePresent)
	}
	if r.Capabilities != nil {
		cols["capabilities"] = string(r.Capabilities)
	}
	if err := db.Model(&enrolmentRow{}).Where("tenant_id = ? AND enrollment_id = ?", row.TenantID, row.EnrollmentID).Updates(cols).Error; err != nil {
		return fmt.Errorf("record status of enrolment %s: %w", row.EnrollmentID, err)
	}
	return nil
}

// IsOSVersion reports whether s looks like an Apple OS version ("18.4", "17.6.1").
func IsOSVersion(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// Capable reports whether an OS version is one whose phones are managed declaratively:
// iOS and iPadOS 17.2 or later, the first with app.managed, so that the work apps need no
// MDM command beside the declarations.
func Capable(version string) bool {
	if !IsOSVersion(version) {
		return false
	}
	parts := strings.Split(version, ".")
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major > 17 || (major == 17 && minor >= 2)
}
