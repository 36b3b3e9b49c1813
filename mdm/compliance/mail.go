package compliance

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Notice is what the e-mail about a broken rule tells the employee: which
// device, what is wrong, what to do, and what happens when.
type Notice struct {
	Tenant   mdm.Tenant
	Employee mdm.Employee
	Device   mdm.Device
	Failure  Failure
	Setting  RuleSetting
}

// SendMail carries out a MailJob: send delivers the notice to the
// employee, and the sending is recorded on the failure and in the audit trail. A failure
// that ended, or that was mailed already, is not mailed (again).
func (s *Service) SendMail(ctx context.Context, job MailJob, send func(context.Context, Notice) error) error {
	fs, err := s.Tables(s.DB).Failures(ctx, job.TenantID, []string{job.DeviceID})
	if err != nil {
		return fmt.Errorf("compliance of device %s: %w", job.DeviceID, err)
	}
	var n Notice
	found := false
	for _, f := range fs {
		if f.Rule == job.Rule && f.Since.Equal(job.Since) && f.NotifiedAt == nil {
			n.Failure, found = f, true
		}
	}
	if !found {
		return nil
	}
	if n.Tenant, n.Device, n.Employee, err = mdm.NoticeParties(ctx, s.DB, job.TenantID, job.DeviceID); err != nil {
		return err
	}
	if n.Setting, err = s.deviceRule(ctx, s.DB, n.Device, job.Rule); err != nil {
		return err
	}
	if err := send(ctx, n); err != nil {
		return fmt.Errorf("send compliance notice for device %s: %w", job.DeviceID, err)
	}
	return s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		err := s.Tables(tx).SetNotified(ctx, job.TenantID, job.DeviceID, job.Rule, job.Since, at)
		if errors.Is(err, mdm.ErrConflict) || errors.Is(err, mdm.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, job.TenantID, at, audit.Record{Actor: mdm.ActorSystem, Action: audit.DeviceComplianceMail,
			Subject: audit.Device.Of(job.DeviceID), Details: audit.Fields(map[string]any{"rule": job.Rule, "to": n.Employee.Email})})
		return err
	})
}

// consequenceWords say each consequence in German and English, as notices tell it.
var consequenceWords = map[Consequence][2]string{
	ConsequenceMark:   {"wird das Gerät als nicht konform markiert und erhält keinen Zugang zu dienstlichen Diensten", "the device is marked non-compliant and loses access to work services"},
	ConsequenceRevoke: {"wird das Gerätezertifikat gesperrt (Mail, VPN und WLAN der Dienststelle)", "the device certificate is revoked (work mail, VPN and Wi-Fi)"},
	ConsequenceLock:   {"wird der Arbeitsbereich gesperrt", "the work area is locked"},
	ConsequenceRemove: {"wird der Arbeitsbereich entfernt", "the work area is removed"},
}

// Message returns the notice's subject and text, in German and English.
func (n Notice) Message() (subject, text string) {
	due := n.Failure.DueAt.UTC().Format("2006-01-02")
	var de, en string
	for _, c := range n.Setting.Consequences {
		if w, ok := consequenceWords[c]; ok {
			de += "\n- " + w[0]
			en += "\n- " + w[1]
		}
	}
	if de == "" {
		de, en = "\n- nichts weiter; IT sieht den Befund", "\n- nothing more; IT sees the finding"
	}
	subject = fmt.Sprintf("%s: Ihr Arbeitsbereich erfüllt eine Regel nicht / your work area breaks a rule", n.Tenant.DisplayName)
	text = fmt.Sprintf(`Guten Tag %[1]s,

Ihr %[2]s-Gerät erfüllt eine Regel der Dienststelle nicht: %[3]s.
Was Sie tun können: %[4]s.
Wenn das Gerät die Regel am %[5]s noch nicht erfüllt:%[6]s
Ihr privater Bereich bleibt davon unberührt.

Hello %[1]s,

your %[2]s device breaks a rule of your employer: %[3]s.
What you can do: %[4]s.
If the device still breaks the rule on %[5]s:%[7]s
Your private side of the phone is not affected.
`, n.Employee.Name, platformNames[n.Device.Platform], n.Failure.Reason, n.Failure.Remedy, due, de, en)
	return subject, text
}
