package mdm

import (
	"fmt"
	"regexp"
	"time"
)

// Tenant is one organisation on the installation, for example a municipality. Every other
// row belongs to exactly one tenant, and nothing crosses from one tenant to another.
type Tenant struct {
	ID          string
	Name        string // short, stable name used on the command line and in URLs
	DisplayName string
	// OperatorName is who runs the service for the tenant (the town's IT or its regional
	// IT service provider); the portal names it. Empty means the tenant itself.
	OperatorName string
	// PrivacyContact is whom employees ask about data protection (the data-protection
	// officer's name and address); the portal shows it.
	PrivacyContact string
	// LostMode is what the tenant's company-owned phones show on their lock screen in
	// lost mode (SetLostModeText); its fields are empty where the tenant set none.
	LostMode  LostModeText `gorm:"embedded"`
	CreatedAt time.Time
}

// DefaultTenant is the tenant that a new installation creates on first start.
const DefaultTenant = "default"

var tenantNamePattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateTenantName checks that name can serve as a tenant's short name: lower-case
// letters, digits and inner hyphens, at most 63 characters, like a DNS label.
func ValidateTenantName(name string) error {
	if !tenantNamePattern.MatchString(name) {
		return fmt.Errorf("%w: tenant name %q: use 1 to 63 lower-case letters, digits or inner hyphens (for example \"musterstadt\")", ErrInvalid, name)
	}
	return nil
}
