package mdm

import "fmt"

// Platform is the kind of phone a device or an app assignment is for.
type Platform string

// The platforms.
const (
	PlatformIOS     Platform = "ios"
	PlatformAndroid Platform = "android"
	// PlatformAny is allowed only on invitations: the employee chooses on the portal.
	PlatformAny Platform = "any"
)

// ParsePlatform returns the device platform named s: ios or android.
func ParsePlatform(s string) (Platform, error) {
	switch p := Platform(s); p {
	case PlatformIOS, PlatformAndroid:
		return p, nil
	}
	return "", Refuse("refusal.platform", fmt.Errorf("%w: platform %q: use ios or android", ErrInvalid, s), "Platform", s)
}

// ParseInvitationPlatform returns the platform an invitation is for: ios, android or any.
// The empty string means any.
func ParseInvitationPlatform(s string) (Platform, error) {
	switch p := Platform(s); p {
	case PlatformIOS, PlatformAndroid, PlatformAny:
		return p, nil
	case "":
		return PlatformAny, nil
	}
	return "", Refuse("refusal.platform", fmt.Errorf("%w: platform %q: use ios, android or any", ErrInvalid, s), "Platform", s)
}
