package mdm

import "context"

// Driver is what a platform (ios, android) does for the domain. The domain decides what
// should happen — a policy changed, a device is to be locked, an employee left — and hands
// the platform-specific part to the device's driver, so that a rule such as "removing an
// employee removes the work data on every device and revokes its certificates" is written
// once. Drivers act on the work container only; the command kinds they receive cannot
// express anything else.
type Driver interface {
	// Platform is the platform this driver serves.
	Platform() Platform
	// EnrolmentStep returns what the employee does next on the portal to enrol a phone of
	// this platform for the device d (state invited): a link or instructions.
	EnrolmentStep(ctx context.Context, t Tenant, d Device) (EnrolmentStep, error)
	// ApplyPolicy brings the platform's copy of the work policy in line with p; it is
	// called after every change of p and must be idempotent.
	ApplyPolicy(ctx context.Context, t Tenant, p WorkPolicy) error
	// SendCommand hands the queued command c for device d to the platform.
	SendCommand(ctx context.Context, t Tenant, d Device, c Command) error
	// RemoveWorkData removes the work container from d, never anything else on the phone.
	RemoveWorkData(ctx context.Context, t Tenant, d Device) error
}

// DevicePolicyApplier is a Driver that can bring one device in line with its work policy
// without reading the policy's other devices. A device that joins a policy is then served
// at a cost that does not grow with the fleet; drivers without it get ApplyPolicy.
type DevicePolicyApplier interface {
	ApplyPolicyToDevice(ctx context.Context, t Tenant, p WorkPolicy, d Device) error
}

// EnrolmentStep is the platform's part of the portal: where the employee goes next.
type EnrolmentStep struct {
	// URL is a link the employee follows on the phone (Android's enrolment link); empty
	// when the step is done in the phone's settings.
	URL string
	// Account is what the employee signs in with (the managed Apple account); empty when
	// not needed.
	Account string
	// QRCode is what a company-owned phone scans in its setup wizard to be provisioned
	// (Android's provisioning QR code, as JSON); empty for the employee's own phone, which
	// follows URL.
	QRCode string
}
