package installation

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/pki"
)

// SCEPChallenge makes a one-time SCEP challenge bound to the tenant's device enrolment,
// or to a new enrolment when enrolment is "", and records it in the audit trail. It
// returns the challenge and the enrolment it is bound to.
func (in *Installation) SCEPChallenge(ctx context.Context, actor string, t mdm.Tenant, enrolment string) (pki.Challenge, string, error) {
	if enrolment != "" {
		if _, err := in.Store.Devices().Device(ctx, t.ID, enrolment); errors.Is(err, mdm.ErrNotFound) {
			return pki.Challenge{}, "", fmt.Errorf("tenant %s has no device %q (trennwand device list shows them)", t.Name, enrolment)
		} else if err != nil {
			return pki.Challenge{}, "", err
		}
	} else {
		enrolment = mdm.NewID()
	}
	ca, err := in.CA(ctx)
	if err != nil {
		return pki.Challenge{}, "", err
	}
	ch, err := ca.NewChallenge(ctx, pki.Identity{TenantID: t.ID, EnrolmentID: enrolment})
	if err != nil {
		return pki.Challenge{}, "", err
	}
	if err := in.Service.Record(ctx, t.ID, audit.Record{Actor: actor, Action: audit.CertificateChallenge,
		Subject: audit.Enrolment.Of(enrolment), Details: audit.Fields(map[string]any{"expires_at": ch.ExpiresAt})}); err != nil {
		return pki.Challenge{}, "", err
	}
	return ch, enrolment, nil
}

// RevokeCertificate revokes the certificate with the serial number and records it in the
// audit trail of the tenant it was issued in.
func (in *Installation) RevokeCertificate(ctx context.Context, actor, serial, reason string) (pki.CertificateInfo, error) {
	ca, err := in.CA(ctx)
	if err != nil {
		return pki.CertificateInfo{}, err
	}
	info, err := ca.Certificate(ctx, serial)
	if err != nil {
		return pki.CertificateInfo{}, err
	}
	if err := ca.Revoke(ctx, serial, pki.ReasonUnspecified, reason); err != nil {
		return pki.CertificateInfo{}, err
	}
	if info.TenantID != "" {
		if err := in.Service.Record(ctx, info.TenantID, audit.Record{Actor: actor, Action: audit.CertificateRevoke,
			Subject: audit.Certificate.Of(serial), Details: audit.Fields(map[string]any{"enrolment": info.Enrolment, "reason": reason})}); err != nil {
			return pki.CertificateInfo{}, err
		}
	}
	return info, nil
}
