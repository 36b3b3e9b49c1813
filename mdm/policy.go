package mdm

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WorkPolicy is what IT wants in the work container of the devices it is given to: which
// work apps with which configuration, and the rules for the container itself. Version goes
// up with every change, so that a change made on an old copy is refused instead of silently
// overwriting a newer one, and so that devices can report which version they carry.
type WorkPolicy struct {
	ID                   string
	TenantID             string
	Name                 string
	Description          string
	Version              int64
	WorkPasscodeRequired bool
	// CopyPasteToPersonal allows copying from work apps into private apps. Off by default:
	// work data stays in the work container.
	CopyPasteToPersonal bool
	// PersonalUsage are the rules for the personal side of a company-owned phone; they
	// never reach the employee's own phone.
	PersonalUsage PersonalUsage `gorm:"embedded"`
	// Default marks the tenant's default policy, which newly enrolled devices get. The
	// tenant's first policy becomes its default.
	Default   bool            `gorm:"column:is_default"`
	Apps      []AppAssignment `gorm:"-"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PersonalUsage are the rules an employer may set for the personal side of its own phone
// with a work profile (Android's personalUsagePolicies): how long the work profile may
// stay switched off before the personal apps are suspended, and whether the camera and
// screenshots may be used on the personal side. The zero value sets none.
type PersonalUsage struct {
	// MaxDaysWorkOff is how many days the work profile may stay off; 0 sets no limit.
	MaxDaysWorkOff                int
	PersonalCameraDisabled        bool
	PersonalScreenCaptureDisabled bool
}

// The bounds of MaxDaysWorkOff: Android asks for at least three days.
const (
	MinDaysWorkOff = 3
	MaxDaysWorkOff = 365
)

// Validate checks the rules.
func (u PersonalUsage) Validate() error {
	if u.MaxDaysWorkOff != 0 && (u.MaxDaysWorkOff < MinDaysWorkOff || u.MaxDaysWorkOff > MaxDaysWorkOff) {
		return Refuse("refusal.max_days_work_off", fmt.Errorf("%w: the work profile may stay off for %d to %d days, or without limit (0)", ErrInvalid, MinDaysWorkOff, MaxDaysWorkOff),
			"Min", strconv.Itoa(MinDaysWorkOff), "Max", strconv.Itoa(MaxDaysWorkOff))
	}
	return nil
}

// AppAssignment puts one app into the work container of a policy's devices. AppID is the
// platform's identifier: an Android package name or an iOS bundle identifier.
type AppAssignment struct {
	ID            string
	TenantID      string
	WorkPolicyID  string
	Platform      Platform
	AppID         string
	InstallType   InstallType
	ManagedConfig JSONObject
}

// InstallType says whether the employee gets an app without asking or may choose it.
type InstallType string

// The install types.
const (
	InstallRequired  InstallType = "required"  // installed and kept installed
	InstallAvailable InstallType = "available" // offered in the work app store
)

// ParseInstallType returns the install type named s.
func ParseInstallType(s string) (InstallType, error) {
	switch t := InstallType(s); t {
	case InstallRequired, InstallAvailable:
		return t, nil
	}
	return "", fmt.Errorf("%w: install type %q: use required or available", ErrInvalid, s)
}

// appIDPatterns are the forms of an app's identifier on each platform: the platform's own
// naming, which is data about the platform, not a rule of the core.
var appIDPatterns = map[Platform]*regexp.Regexp{
	// An Android package name: at least two segments of letters, digits and underscores,
	// each starting with a letter.
	PlatformAndroid: regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$`),
	// An iOS bundle identifier: reverse-DNS segments of letters, digits and hyphens.
	PlatformIOS: regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`),
}

// Validate checks the policy and its apps and normalises what can be normalised: the name
// is trimmed, and a missing managed configuration becomes the empty object.
func (p *WorkPolicy) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || len(p.Name) > 100 {
		return Refuse("refusal.policy_name", fmt.Errorf("%w: a work policy needs a name of 1 to 100 characters", ErrInvalid))
	}
	if len(p.Description) > 2000 {
		return fmt.Errorf("%w: description is longer than 2000 characters", ErrInvalid)
	}
	if err := checkText("the name", p.Name); err != nil {
		return err
	}
	if err := checkText("the description", p.Description); err != nil {
		return err
	}
	if err := p.PersonalUsage.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range p.Apps {
		a := &p.Apps[i]
		if err := a.Validate(); err != nil {
			return err
		}
		key := string(a.Platform) + "/" + a.AppID
		if seen[key] {
			return fmt.Errorf("%w: app %s is assigned twice", ErrInvalid, key)
		}
		seen[key] = true
	}
	return nil
}

// Validate checks one app assignment.
func (a *AppAssignment) Validate() error {
	if _, err := ParsePlatform(string(a.Platform)); err != nil {
		return err
	}
	if len(a.AppID) > 255 || !appIDPatterns[a.Platform].MatchString(a.AppID) {
		return fmt.Errorf("%w: %q is not a valid %s app identifier", ErrInvalid, a.AppID, a.Platform)
	}
	if _, err := ParseInstallType(string(a.InstallType)); err != nil {
		return err
	}
	if a.ManagedConfig == "" {
		a.ManagedConfig = EmptyJSONObject
	}
	cfg, err := ParseJSONObject([]byte(a.ManagedConfig))
	if err != nil {
		return fmt.Errorf("managed configuration of %s: %w", a.AppID, err)
	}
	a.ManagedConfig = cfg
	return nil
}

// Required returns the policy's apps on the platform that are installed without asking,
// in the policy's order: what the platform pushes, and what needs a licence first.
func (p *WorkPolicy) Required(platform Platform) []AppAssignment {
	var out []AppAssignment
	for _, a := range p.Apps {
		if a.Platform == platform && a.InstallType == InstallRequired {
			out = append(out, a)
		}
	}
	return out
}
