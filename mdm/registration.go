package mdm

import (
	"context"
	"fmt"
	"strings"
)

// Registration is how a platform joins the core: one value saying which platform it is,
// what it can do (its capabilities) and what it keeps of a device that has to go when the
// device is forgotten. Each platform package provides its own (ios.Registration,
// android.Registration); the program gives them to the service once, at wiring
// (WithPlatforms). A platform that is not registered can do nothing: its devices are
// offered no action and every capability question about it is answered no.
type Registration struct {
	Platform Platform
	// Can is what the platform can do and report; see Capability.
	Can Capability
	// Forgetter deletes the platform's own rows of devices whose retention has ended; nil
	// when it keeps none.
	Forgetter DeviceForgetter
	// Setup tells whether a tenant has set the platform up; nil when the platform needs
	// nothing of the tenant before a phone can enrol.
	Setup SetupCheck
	// WorkApps reads what the platform keeps of a device's work apps (the device page, the
	// portal's progress); nil when it keeps nothing of them.
	WorkApps WorkAppReader
	// Declarations reads the states a device reported of the declarations its platform
	// sent it (the device page, the API); nil when the platform sends none.
	Declarations DeclarationReader
	// Certificates reads the certificates a device reported in its work area (the device
	// page, the API); nil when the platform reports none.
	Certificates CertificateReader
}

// SetupCheck is a platform's answer to "can a phone of this tenant enrol now?": whether
// the tenant has done what the platform needs (an Android enterprise bound, an Apple push
// certificate uploaded), read from the platform's own rows inside tx, and what to do if not.
type SetupCheck interface {
	SetUp(ctx context.Context, tx Store, tenantID string) (bool, error)
	// Todo says in one sentence what IT does to set the platform up.
	Todo() string
}

// NotSetUpError refuses an invitation, or explains a portal page, for a platform the
// tenant has not set up yet; PlatformAny when it has set up none. Todo says what to do.
type NotSetUpError struct {
	Platform Platform
	Todo     string
}

func (e *NotSetUpError) Error() string {
	if e.Platform == PlatformAny {
		return "no platform is set up for this tenant yet: " + e.Todo
	}
	return fmt.Sprintf("%s is not set up for this tenant yet: %s", e.Platform, e.Todo)
}

// Unwrap makes the refusal a caller's mistake (ErrInvalid), which IT can put right.
func (e *NotSetUpError) Unwrap() error { return ErrInvalid }

// DeviceForgetter is a platform's part of deleting devices whose retention has ended: it
// deletes the platform's own rows of the devices (protocol state, certificate bindings,
// installed work apps) inside tx, the transaction that deletes the device rows and
// records their deletion, so that either all of a device's data goes or none.
type DeviceForgetter interface {
	ForgetDevices(ctx context.Context, tx Store, tenantID string, ds []Device) error
}

// WithPlatforms registers the platforms the installation runs, in the order their work is
// done (a policy change reaches them in this order). A platform registered twice keeps
// its last registration.
func WithPlatforms(regs ...Registration) Option {
	return func(s *Service) {
		for _, r := range regs {
			if i := s.platformIndex(r.Platform); i >= 0 {
				s.platforms[i] = r
				continue
			}
			s.platforms = append(s.platforms, r)
		}
	}
}

// CapabilitiesOf returns what the platform registered; none for a platform that is not.
// It is the one question the core, the dashboard and the API ask before they offer, accept
// or carry out anything that not every platform can do.
func (s *Service) CapabilitiesOf(p Platform) Capability {
	if i := s.platformIndex(p); i >= 0 {
		return s.platforms[i].Can
	}
	return 0
}

func (s *Service) platformIndex(p Platform) int {
	for i, r := range s.platforms {
		if r.Platform == p {
			return i
		}
	}
	return -1
}

// registered returns the registered platforms, in the order of their registration.
func (s *Service) registered() []Platform {
	out := make([]Platform, len(s.platforms))
	for i, r := range s.platforms {
		out[i] = r.Platform
	}
	return out
}

// ForgetDevices has every platform forget the devices, inside tx: the transaction that
// deletes their rows, so that no platform keeps state of a device the core forgot.
func (s *Service) ForgetDevices(ctx context.Context, tx Store, tenantID string, ds []Device) error {
	for _, r := range s.platforms {
		if r.Forgetter == nil {
			continue
		}
		if err := r.Forgetter.ForgetDevices(ctx, tx, tenantID, ds); err != nil {
			return err
		}
	}
	return nil
}

// CheckSetUp returns a *NotSetUpError when the tenant has not set up the platform p, inside
// tx; for PlatformAny, when it has set up none of the registered platforms. A platform that
// is not registered, or needs nothing of the tenant, counts as set up: the portal says
// itself what is not switched on.
func (s *Service) CheckSetUp(ctx context.Context, tx Store, tenantID string, p Platform) error {
	var todo []string
	for _, r := range s.platforms {
		if p != PlatformAny && r.Platform != p {
			continue
		}
		if r.Setup == nil {
			return nil
		}
		ok, err := r.Setup.SetUp(ctx, tx, tenantID)
		if err != nil {
			return fmt.Errorf("is %s set up: %w", r.Platform, err)
		}
		if ok {
			return nil
		}
		todo = append(todo, r.Setup.Todo())
	}
	if len(todo) == 0 {
		return nil
	}
	return &NotSetUpError{Platform: p, Todo: strings.Join(todo, "; or ")}
}
