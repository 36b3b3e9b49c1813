package dataprotection

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// InactivityMailJob asks for the notices about one device flagged by the inactivity rule.
type InactivityMailJob struct {
	TenantID string `json:"tenant_id"`
	DeviceID string `json:"device_id"`
}

// Kind names the job for the queue.
func (InactivityMailJob) Kind() string { return "inactivity_mail" }

// InactivityNotice is what the notices about an inactive device tell: which device of
// whom, since when silent, and what happens when.
type InactivityNotice struct {
	Tenant     mdm.Tenant
	Employee   mdm.Employee
	Device     mdm.Device
	Flag       DeviceInactivity
	Settings   DataProtection
	Due        time.Time // when the action is taken unless the device reports
	Recipients []string  // the employee, and IT when the tenant named a contact
}

// SendInactivityMail carries out an InactivityMailJob: send delivers the notice to its
// recipients, and the sending is recorded on the flag and in the audit trail. A flag that
// is gone, was mailed or was acted on already is not mailed (again).
func (s *Service) SendInactivityMail(ctx context.Context, job InactivityMailJob, send func(context.Context, InactivityNotice) error) error {
	f, err := s.Tables(s.DB).DeviceInactivity(ctx, job.TenantID, job.DeviceID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inactivity of device %s: %w", job.DeviceID, err)
	}
	if f.MailedAt != nil || f.ActedAt != nil {
		return nil
	}
	n := InactivityNotice{Flag: f}
	if n.Tenant, n.Device, n.Employee, err = mdm.NoticeParties(ctx, s.DB, job.TenantID, job.DeviceID); err != nil {
		return err
	}
	if n.Settings, err = s.TenantDataProtection(ctx, n.Tenant); err != nil {
		return err
	}
	n.Due = f.FlaggedAt.AddDate(0, 0, n.Settings.InactivityGraceDays)
	n.Recipients = []string{n.Employee.Email}
	if n.Settings.ITContactEmail != "" {
		n.Recipients = append(n.Recipients, n.Settings.ITContactEmail)
	}
	if err := send(ctx, n); err != nil {
		return fmt.Errorf("send inactivity notice for device %s: %w", job.DeviceID, err)
	}
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		if err := s.Tables(tx).SetInactivityMailed(ctx, job.TenantID, job.DeviceID, at); err != nil {
			if errors.Is(err, mdm.ErrConflict) || errors.Is(err, mdm.ErrNotFound) {
				return nil
			}
			return err
		}
		_, err := tx.AppendAudit(ctx, job.TenantID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceInactivityMail,
			Subject: audit.Device.Of(job.DeviceID), Details: audit.Fields(map[string]any{"to": n.Recipients})})
		return err
	})
}

// Message returns the notice's subject and text, in German and English, as the
// employee's and IT's e-mail.
func (n InactivityNotice) Message() (subject, text string) {
	last := "—"
	if n.Device.LastContactAt != nil {
		last = n.Device.LastContactAt.UTC().Format("2006-01-02")
	}
	due := n.Due.UTC().Format("2006-01-02")
	what := map[InactivityAction][2]string{
		InactivityLock:   {"wird der Arbeitsbereich gesperrt", "the work area will be locked"},
		InactivityRemove: {"wird der Arbeitsbereich entfernt", "the work area will be removed"},
	}[n.Settings.InactivityAction]
	subject = fmt.Sprintf("%s: Diensttelefon ohne Verbindung / work phone out of contact", n.Tenant.DisplayName)
	text = fmt.Sprintf(`Guten Tag %[1]s,

Ihr %[2]s-Gerät hat sich seit %[3]s nicht mehr gemeldet (Regel: %[4]d Tage).
Wenn es sich bis %[5]s nicht meldet, %[6]s. Öffnen Sie dazu einfach eine Arbeits-App mit Internetverbindung.

Hello %[1]s,

your %[2]s device has not been in contact since %[3]s (rule: %[4]d days).
Unless it reports by %[5]s, %[7]s. Opening a work app with an internet connection is enough.
`, n.Employee.Name, n.Device.Platform, last, n.Settings.InactivityDays, due, what[0], what[1])
	return subject, text
}
