package dataprotection

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// EmployeeReport is everything trennwand keeps about one employee and their devices, and
// every access to it: the answer to a request under Art. 15 GDPR.
type EmployeeReport struct {
	GeneratedAt time.Time
	GeneratedBy string
	Tenant      mdm.Tenant
	Employee    mdm.Employee
	Invitations []mdm.Invitation
	Devices     []DeviceRecord
	// Accesses are the audit events of someone looking at or exporting the employee's
	// data (views, exports, reports, this one included); Events are all others that name
	// the employee, one of their devices or invitations.
	Accesses []audit.Event
	Events   []audit.Event
	// Pruned says up to when older events were removed after their retention period.
	Pruned []mdm.AuditPrune
}

// DeviceRecord is one device of the report with what hangs on it.
type DeviceRecord struct {
	Device       mdm.Device
	Commands     []mdm.Command
	Certificates []DeviceCertificate // empty when the CA cannot be asked
	Inactivity   *DeviceInactivity
	// WorkPolicy is the policy the work container follows, with its apps for the device's
	// platform; nil without one.
	WorkPolicy *mdm.WorkPolicy
}

// DeviceCertificate is a certificate the CA issued to a device, as the report shows it.
type DeviceCertificate struct {
	Serial    string
	Subject   string
	NotBefore time.Time
	NotAfter  time.Time
	Revoked   bool
}

// CertificateLister is what the report needs of the CA beyond Certificates: the
// certificates it issued to one enrolment. The core's CA (mdm.Settings.Certificates) may
// implement it.
type CertificateLister interface {
	EnrolmentCertificates(ctx context.Context, tenantID, enrolmentID string) ([]DeviceCertificate, error)
}

// ReportEmployee gathers the report about the employee with the e-mail address. Making it
// is recorded first, in the same transaction, so the report lists itself among the
// accesses.
func (s *Service) ReportEmployee(ctx context.Context, actor string, t mdm.Tenant, email string) (EmployeeReport, error) {
	email, err := mdm.NormalizeEmail(email)
	if err != nil {
		return EmployeeReport{}, err
	}
	return s.reportEmployee(ctx, actor, t, func(tx mdm.Store) (mdm.Employee, error) {
		e, err := tx.Devices().EmployeeByEmail(ctx, t.ID, email)
		if err != nil {
			return e, fmt.Errorf("tenant %s has no employee %s: %w", t.Name, email, err)
		}
		return e, nil
	})
}

// ReportEmployeeByID is ReportEmployee for the employee with the ID.
func (s *Service) ReportEmployeeByID(ctx context.Context, actor string, t mdm.Tenant, id string) (EmployeeReport, error) {
	return s.reportEmployee(ctx, actor, t, func(tx mdm.Store) (mdm.Employee, error) {
		e, err := tx.Devices().Employee(ctx, t.ID, id)
		if err != nil {
			return e, fmt.Errorf("employee %s: %w", id, err)
		}
		return e, nil
	})
}

func (s *Service) reportEmployee(ctx context.Context, actor string, t mdm.Tenant, find func(tx mdm.Store) (mdm.Employee, error)) (EmployeeReport, error) {
	r := EmployeeReport{GeneratedBy: actor, Tenant: t}
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) (err error) {
		r.GeneratedAt = at
		if r.Employee, err = find(tx); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.EmployeeReport,
			Subject: audit.Employee.Of(r.Employee.ID), Details: audit.NoDetails}); err != nil {
			return err
		}
		if r.Invitations, err = s.Tables(tx).EmployeeInvitations(ctx, t.ID, r.Employee.ID); err != nil {
			return fmt.Errorf("invitations: %w", err)
		}
		ds, err := tx.Devices().Devices(ctx, t.ID, mdm.DeviceFilter{EmployeeID: r.Employee.ID})
		if err != nil {
			return fmt.Errorf("devices: %w", err)
		}
		for _, d := range ds {
			rec, err := s.deviceRecord(ctx, tx, t, d)
			if err != nil {
				return fmt.Errorf("device %s: %w", d.ID, err)
			}
			r.Devices = append(r.Devices, rec)
		}
		if r.Pruned, err = tx.Trail().AuditPrunes(ctx, t.ID); err != nil {
			return err
		}
		return tx.Trail().FilteredAuditEvents(ctx, t.ID, mdm.AuditFilter{EmployeeID: r.Employee.ID}, func(e audit.Event) error {
			if e.IsAccess() {
				r.Accesses = append(r.Accesses, e)
			} else {
				r.Events = append(r.Events, e)
			}
			return nil
		})
	})
	return r, err
}

func (s *Service) deviceRecord(ctx context.Context, tx mdm.Store, t mdm.Tenant, d mdm.Device) (DeviceRecord, error) {
	rec := DeviceRecord{Device: d}
	var err error
	if rec.Commands, err = tx.Commands().Commands(ctx, t.ID, d.ID); err != nil {
		return rec, err
	}
	switch f, err := s.Tables(tx).DeviceInactivity(ctx, t.ID, d.ID); {
	case err == nil:
		rec.Inactivity = &f
	case !errors.Is(err, mdm.ErrNotFound):
		return rec, err
	}
	if d.WorkPolicyID != nil {
		p, err := tx.Policies().WorkPolicy(ctx, t.ID, *d.WorkPolicyID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return rec, fmt.Errorf("work policy: %w", err)
		}
		if err == nil {
			p.Apps = slices.DeleteFunc(p.Apps, func(a mdm.AppAssignment) bool { return a.Platform != d.Platform })
			rec.WorkPolicy = &p
		}
	}
	if lister, ok := s.Settings.Certificates.(CertificateLister); ok {
		if rec.Certificates, err = lister.EnrolmentCertificates(ctx, t.ID, d.ID); err != nil {
			return rec, fmt.Errorf("certificates: %w", err)
		}
	}
	return rec, nil
}
