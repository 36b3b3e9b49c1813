package android

import (
	"context"
	"fmt"
	"net/url"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/mdm"
)

// EnrolURL is where an Android phone sets up its work profile with an enrolment token.
const EnrolURL = "https://enterprise.google.com/android/enroll"

// enrolmentTokenLifetime is how long an enrolment token is valid: it is made when the
// employee opens the portal, so it is used within minutes.
const enrolmentTokenLifetime = "3600s"

// EnrolmentStep makes a one-time enrolment token for the invited device and returns the
// link that sets up the work profile with it. The token allows personal use (the phone is
// the employee's, or the employer's with private use allowed), names the device's work
// policy (or the baseline policy) and carries the device's ID, which the ENROLLMENT
// notification hands back. A company-owned phone is set up from its setup wizard instead:
// it scans the token's QR code, and gets a work profile on a company-owned device.
func (p *Platform) EnrolmentStep(ctx context.Context, t mdm.Tenant, d mdm.Device) (mdm.EnrolmentStep, error) {
	if d.Platform != mdm.PlatformAndroid || d.State != mdm.DeviceInvited {
		return mdm.EnrolmentStep{}, fmt.Errorf("%w: device %s is a %s device in state %s, not an invited Android device", mdm.ErrInvalid, d.ID, d.Platform, d.State)
	}
	b, err := p.binding(ctx, t.ID)
	if err != nil {
		return mdm.EnrolmentStep{}, err
	}
	policy := baselinePolicyName(b.EnterpriseName)
	if d.WorkPolicyID != nil {
		wp, err := p.svc.WorkPolicy.WorkPolicy(ctx, t, *d.WorkPolicyID)
		if err != nil {
			return mdm.EnrolmentStep{}, fmt.Errorf("work policy of device %s: %w", d.ID, err)
		}
		if err := p.applyPolicy(ctx, t, wp, false, d.Ownership.Company()); err != nil {
			return mdm.EnrolmentStep{}, err
		}
		policy = policyNameFor(b.EnterpriseName, wp.ID, d.Ownership)
	}
	tok, err := p.amapi.CreateEnrollmentToken(ctx, b.EnterpriseName, &amapi.EnrollmentToken{
		PolicyName: policy, Duration: enrolmentTokenLifetime, OneTimeOnly: true,
		AllowPersonalUsage: "PERSONAL_USAGE_ALLOWED", AdditionalData: d.ID,
	})
	if err != nil {
		return mdm.EnrolmentStep{}, fmt.Errorf("enrolment token for device %s: %w", d.ID, err)
	}
	if d.Ownership.Company() {
		if tok.QrCode == "" {
			return mdm.EnrolmentStep{}, fmt.Errorf("enrolment token for device %s: Google gave no QR code", d.ID)
		}
		return mdm.EnrolmentStep{QRCode: tok.QrCode}, nil
	}
	return mdm.EnrolmentStep{URL: EnrolURL + "?et=" + url.QueryEscape(tok.Value)}, nil
}
