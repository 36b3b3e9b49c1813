package directory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// leaverBatch bounds one listing of leavers whose grace period ended.
const leaverBatch = 500

// RemoveLeavers removes, for every tenant, the work containers of the people who left
// the directory longer ago than the tenant's grace period and did not come back, and
// revokes their devices' certificates; never more than the work container. Each leaver
// is acted on once however often it runs, on any replica; it returns how many.
func (s *Service) RemoveLeavers(ctx context.Context) (int, error) {
	tenants, err := s.DB.Tenants().Tenants(ctx)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, t := range tenants {
		cfg, err := s.TenantConfig(ctx, t)
		if err != nil {
			return done, err
		}
		for {
			due, err := s.Tables(s.DB).DueLeavers(ctx, t.ID, s.Settings.Now().AddDate(0, 0, -cfg.GraceDays), leaverBatch)
			if err != nil {
				return done, fmt.Errorf("leavers of %s: %w", t.Name, err)
			}
			for _, p := range due {
				n, err := s.removeLeaver(ctx, t, cfg, p)
				if err != nil {
					return done, fmt.Errorf("leaver %s of %s: %w", p.ExternalID, t.Name, err)
				}
				done += n
			}
			if len(due) < leaverBatch {
				break
			}
		}
	}
	return done, nil
}

// removeLeaver orders the removal of the leaver's work containers and marks the leaver
// done in one transaction, then revokes the devices' certificates.
func (s *Service) removeLeaver(ctx context.Context, t mdm.Tenant, cfg Config, p Person) (int, error) {
	reason := fmt.Sprintf("%s in the directory %d days ago", p.LeftReason, cfg.GraceDays)
	var removed []string
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		if err := s.Tables(tx).MarkRemoved(ctx, t.ID, p.ExternalID, at); err != nil {
			return err
		}
		removed = nil
		if p.EmployeeID != "" {
			ds, err := tx.Devices().Devices(ctx, t.ID, mdm.DeviceFilter{EmployeeID: p.EmployeeID})
			if err != nil {
				return err
			}
			for _, d := range ds {
				if d.State == mdm.DeviceRemoved || d.State == mdm.DeviceRemoving {
					continue
				}
				if err := mdm.OrderRemoval(ctx, tx, at, mdm.ActorSystem, t.ID, d, reason); err != nil {
					return fmt.Errorf("device %s: %w", d.ID, err)
				}
				removed = append(removed, d.ID)
			}
			if _, err := s.enrolment.RevokePending(ctx, tx, at, mdm.ActorSystem, t, p.EmployeeID); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, at, mdm.ActorSystem, t, &p, audit.DirectoryLeaverRemove,
			map[string]any{"external_id": p.ExternalID, "reason": reason, "devices": removed})
	})
	if errors.Is(err, mdm.ErrConflict) {
		return 0, nil // done by another replica, or the person came back meanwhile
	}
	if err != nil {
		return 0, err
	}
	if s.Settings.Certificates != nil {
		for _, id := range removed {
			if err := s.Core.RevokeRemoved(ctx, mdm.ActorSystem, t.ID, id, reason); err != nil {
				return 1, err
			}
		}
	}
	return 1, nil
}

// LeaverMailJob asks for the notice to IT about one leaver, before anything is removed.
type LeaverMailJob struct {
	TenantID   string `json:"tenant_id"`
	ExternalID string `json:"external_id"`
}

// Kind names the job for the queue.
func (LeaverMailJob) Kind() string { return "directory_leaver_mail" }

// LeaverNotice is what IT is told about a leaver: who, why, how many devices, and when
// their work containers will be removed.
type LeaverNotice struct {
	Tenant    mdm.Tenant
	Person    Person
	Devices   int
	Due       time.Time
	Recipient string
}

// SendLeaverMail carries out a LeaverMailJob: send delivers the notice to the tenant's IT
// contact, and the sending is recorded on the person and in the audit trail. A leaver who
// came back, was mailed already or whose removal is done is not mailed; without an IT
// contact nobody is.
func (s *Service) SendLeaverMail(ctx context.Context, job LeaverMailJob, send func(context.Context, LeaverNotice) error) error {
	p, err := s.Tables(s.DB).Person(ctx, job.TenantID, job.ExternalID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("leaver %s: %w", job.ExternalID, err)
	}
	if p.LeftAt == nil || p.MailedAt != nil || p.RemovedAt != nil {
		return nil
	}
	n := LeaverNotice{Person: p}
	if n.Tenant, err = s.DB.Tenants().TenantByID(ctx, job.TenantID); err != nil {
		return err
	}
	if n.Recipient, err = s.contacts.ITContact(ctx, n.Tenant); err != nil || n.Recipient == "" {
		return err
	}
	cfg, err := s.TenantConfig(ctx, n.Tenant)
	if err != nil {
		return err
	}
	n.Due = p.LeftAt.AddDate(0, 0, cfg.GraceDays)
	if p.EmployeeID != "" {
		ds, err := s.DB.Devices().Devices(ctx, job.TenantID, mdm.DeviceFilter{EmployeeID: p.EmployeeID})
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.State != mdm.DeviceRemoved && d.State != mdm.DeviceRemoving {
				n.Devices++
			}
		}
	}
	if err := send(ctx, n); err != nil {
		return fmt.Errorf("send the leaver notice for %s: %w", job.ExternalID, err)
	}
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		if err := s.Tables(tx).MarkMailed(ctx, job.TenantID, job.ExternalID, at); err != nil {
			if errors.Is(err, mdm.ErrConflict) || errors.Is(err, mdm.ErrNotFound) {
				return nil
			}
			return err
		}
		return s.record(ctx, tx, at, mdm.ActorSystem, n.Tenant, &p, audit.DirectoryLeaverMail, map[string]any{"to": n.Recipient})
	})
}

// Message returns the notice's subject and text, in German and English.
func (n LeaverNotice) Message() (subject, text string) {
	due := n.Due.UTC().Format("2006-01-02")
	why := map[string][2]string{LeftDisabled: {"deaktiviert", "disabled"}, LeftRemoved: {"entfernt", "removed"}}[n.Person.LeftReason]
	subject = fmt.Sprintf("%s: Austritt aus dem Verzeichnis / leaver from the directory: %s", n.Tenant.DisplayName, n.Person.Email)
	text = fmt.Sprintf(`Guten Tag,

%[1]s (%[2]s) wurde im Verzeichnis %[3]s. Offene Einladungen sind widerrufen.
Am %[4]s werden die Arbeitsbereiche der %[5]d Geräte entfernt und ihre Zertifikate widerrufen – nur der Arbeitsbereich, nie das ganze Telefon.
Wird die Person vorher wieder aktiviert, geschieht nichts.

Hello,

%[1]s (%[2]s) was %[6]s in the directory. Pending invitations are revoked.
On %[4]s the work containers of the %[5]d devices will be removed and their certificates revoked – only the work container, never the whole phone.
If the person is enabled again before then, nothing happens.
`, n.Person.Name, n.Person.Email, why[0], due, n.Devices, why[1])
	return subject, text
}
