package mdm

// Ownership says whose phone a device is: the employee's own (BYOD) or the employer's
// (COPE). It is chosen on the invitation and never changes by the device's own claim.
type Ownership string

// The ownerships.
const (
	OwnershipPersonal Ownership = "personal"
	OwnershipCompany  Ownership = "company"
)
