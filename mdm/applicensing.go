package mdm

import (
	"context"
	"time"
)

// AppLicensing is the licensing of work apps a platform needs before it can install them:
// on iPhones enrolled with User Enrolment, Apple's Apps and Books. The dashboard and the
// API show and change it through this interface; the platform (ios) implements it.
type AppLicensing interface {
	// LicenceToken returns the tenant's content token; ErrNotFound when none was uploaded.
	LicenceToken(ctx context.Context, tenantID string) (LicenceToken, error)
	// SetLicenceToken makes the file (Apple's .vpptoken) the tenant's content token and
	// has the catalogue synchronised; ErrInvalid for a malformed or expired token.
	SetLicenceToken(ctx context.Context, actor, tenantID string, file []byte) (LicenceToken, error)
	// LicensedApps returns the tenant's catalogue: the apps it holds licences for, with
	// the licences' counts and how their assignment to employees stands.
	LicensedApps(ctx context.Context, tenantID string) ([]LicensedApp, error)
	// SyncLicensedApps asks for the catalogue to be read again from the platform.
	SyncLicensedApps(ctx context.Context, actor, tenantID string) error
}

// LicenceToken is what a tenant's content token says about itself.
type LicenceToken struct {
	Organisation string    `json:"organisation"`
	ExpiresAt    time.Time `json:"expires_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Expiring is set from 30 days before ExpiresAt; Expired after it.
	Expiring bool `json:"expiring"`
	Expired  bool `json:"expired"`
	// Problem is why the platform last refused the token ("token expired"); empty when
	// it worked.
	Problem string `json:"problem,omitempty"`
	// SyncedAt is when the catalogue was last read; nil before the first time.
	SyncedAt *time.Time `json:"synced_at,omitempty"`
}

// LicensedApp is one app of the catalogue with its licences.
type LicensedApp struct {
	AdamID   string `json:"adam_id"`
	BundleID string `json:"bundle_id"`
	Name     string `json:"name"`
	Total    int    `json:"total"`
	Assigned int    `json:"assigned"`
	// Available is how many licences are free to assign.
	Available int `json:"available"`
	// Associated, Pending and Failed count the tenant's employees whose licence of the
	// app is assigned, on its way, or could not be assigned; Problem is the reason of a
	// failure ("no licences left").
	Associated int    `json:"associated"`
	Pending    int    `json:"pending"`
	Failed     int    `json:"failed"`
	Problem    string `json:"problem,omitempty"`
}
