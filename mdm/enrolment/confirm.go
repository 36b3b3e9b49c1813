package enrolment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/openid"
)

// A tenant may ask its employees to confirm who they are: before a phone gets its
// enrolment, the employee signs in at the tenant's provider (the one its administrators
// use), and the provider must name the invitation's employee. A lost letter then enrols
// nobody else. The sign-in happens where the invitation is redeemed: on the portal for a
// phone that enrols by the portal's link, on the phone's own sign-in sheet otherwise.

// Via is the page an employee's sign-in at the provider starts from and comes back to.
type Via string

// The pages.
const (
	// ViaPortal is the portal's notice, for a phone that enrols by the portal's link.
	ViaPortal Via = "portal"
	// ViaApple is the phone's sign-in sheet of account-driven enrolment.
	ViaApple Via = "apple"
)

// ConfirmTimeout bounds how long an employee may take at the provider.
const ConfirmTimeout = 10 * time.Minute

var (
	// ErrNoConfirmation means the tenant does not ask its employees to sign in at its
	// provider on this page: the enrolment goes on as without it.
	ErrNoConfirmation = errors.New("no sign-in at the provider is asked for here")
	// ErrSignInGone means the sign-in the provider's answer names is unknown, was taken
	// before, or ran out; it counts as a wrong guess.
	ErrSignInGone = fmt.Errorf("%w: the sign-in at the provider is unknown, used or ran out", ErrInvitationGone)
	// ErrSignInFailed means the provider's answer could not be trusted (an error from the
	// provider, a bad code or ID token) or the tenant no longer asks for the sign-in.
	ErrSignInFailed = errors.New("the sign-in at the provider did not succeed")
	// ErrNotTheEmployee means the provider named someone else than the invitation's
	// employee.
	ErrNotTheEmployee = errors.New("the sign-in at the provider names someone else than the invited employee")
)

// Providers are the tenants' providers for their employees (the access sub-domain keeps
// them).
type Providers interface {
	// EmployeeProvider returns the tenant's provider with its secret open and the name it
	// shows; ErrNotFound when the tenant does not ask its employees to sign in.
	EmployeeProvider(ctx context.Context, tenantID string) (openid.Provider, string, error)
}

// People names the directory's own ID of an employee who came from the directory.
type People interface {
	// ExternalID returns the directory's ID of the employee; "" when the employee did
	// not come from the directory.
	ExternalID(ctx context.Context, tenantID, employeeID string) (string, error)
}

// confirmation is what the employees' sign-in needs: the providers, the directory's IDs
// and the client that reaches the providers.
type confirmation struct {
	providers Providers
	people    People
	rp        openid.Client
}

// UseConfirmation lets tenants ask their employees to sign in at their provider, which
// client reaches (nil takes one with a timeout).
func (s *Service) UseConfirmation(providers Providers, people People, client *http.Client) {
	s.confirm = confirmation{providers: providers, people: people, rp: openid.New(client)}
}

// UseProviderClient reaches the providers with client, for a provider whose certificate
// only client trusts (tests).
func (s *Service) UseProviderClient(client *http.Client) { s.confirm.rp = openid.New(client) }

// SignIn is an employee's sign-in sent to the provider and not yet back.
type SignIn struct {
	StateHash    []byte
	TenantID     string
	InvitationID string
	Via          Via
	Code         []byte // the invitation code, sealed
	Nonce        string
	Verifier     []byte // the PKCE verifier, sealed
	// What the page had when it sent the employee away: the platform and the notice
	// version acknowledged on the portal, the managed Apple account of the phone.
	Platform      mdm.Platform
	NoticeVersion string
	Account       string
	ExpiresAt     time.Time
}

// ConfirmRequest is an employee's step that redeems an invitation, on a tenant that may
// ask for a sign-in at its provider first.
type ConfirmRequest struct {
	Via      Via
	Code     string
	Platform mdm.Platform
	// NoticeVersion is the notice acknowledged on the portal; Account is the managed
	// Apple account the phone signs in with.
	NoticeVersion, Account string
	// RedirectURL is the page's callback, which the provider sends the browser back to.
	RedirectURL string
	// Ownership is whose phone the phone's way of enrolling serves (see EnrolmentRequest);
	// it is checked here, before the provider: the step after it redeems the same
	// invitation, whose ownership does not change.
	Ownership mdm.Ownership
}

// ConfirmStart is the way to the provider: where the browser goes and the state it keeps.
type ConfirmStart struct {
	URL, State string
}

// signInPurpose binds the sealed code and PKCE verifier of a sign-in to its tenant.
func signInPurpose(tenantID string) string { return "employee-sign-in:" + tenantID }

// SignInWith returns the name of the provider at which the tenant's employees sign in;
// "" when the tenant does not ask them to.
func (s *Service) SignInWith(ctx context.Context, tenantID string) (string, error) {
	if s.confirm.providers == nil {
		return "", nil
	}
	_, name, err := s.confirm.providers.EmployeeProvider(ctx, tenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return "", nil
	}
	return name, err
}

// BeginConfirmation checks the step as it would be taken now and, when the tenant asks
// its employees to sign in on this page, stores a new sign-in bound to the invitation and
// returns the way to the provider. It writes nothing else: the step itself follows the
// provider's answer (FinishConfirmation). ErrNoConfirmation when no sign-in is asked for,
// and for a code that matches no invitation, which the step answers (and counts as a
// wrong guess) as before; any other reason the step would refuse is answered here.
func (s *Service) BeginConfirmation(ctx context.Context, client netip.Addr, req ConfirmRequest) (ConfirmStart, error) {
	platform, err := mdm.ParsePlatform(string(req.Platform))
	if err != nil {
		return ConfirmStart{}, err
	}
	if req.Via != ViaPortal && req.Via != ViaApple {
		return ConfirmStart{}, fmt.Errorf("%w: sign-in from page %q", mdm.ErrInvalid, req.Via)
	}
	if req.Via == ViaPortal {
		if err := mdm.CheckNoticeVersion(req.NoticeVersion); err != nil {
			return ConfirmStart{}, err
		}
	}
	if s.confirm.providers == nil || (req.Via == ViaPortal) != s.Core.CapabilitiesOf(platform).Has(mdm.EnrolsByPortalLink) {
		return ConfirmStart{}, ErrNoConfirmation
	}
	// Whatever is wrong with the code, the step answers it as without the sign-in.
	inv, err := s.Tables(s.DB).InvitationByCode(ctx, mdm.HashInvitationCode(NormalizeInvitationCode(req.Code)))
	if err != nil {
		return ConfirmStart{}, ErrNoConfirmation
	}
	p, _, err := s.confirm.providers.EmployeeProvider(ctx, inv.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return ConfirmStart{}, ErrNoConfirmation
	} else if err != nil {
		return ConfirmStart{}, err
	}
	if err := s.LimitGuesses(ctx, client, func() error { return s.checkStep(ctx, req, inv, platform) }); err != nil {
		return ConfirmStart{}, s.recordRefusal(ctx, err)
	}
	op, err := s.confirm.rp.Discover(ctx, p.Issuer)
	if err != nil {
		return ConfirmStart{}, fmt.Errorf("%w: %v", ErrSignInFailed, err)
	}
	flow := openid.Flow{State: strings.ToLower(mdm.RandomBase32(32)), Nonce: strings.ToLower(mdm.RandomBase32(32)),
		Verifier: strings.ToLower(mdm.RandomBase32(40))}
	purpose := signInPurpose(inv.TenantID)
	now := s.Settings.Now()
	in := SignIn{StateHash: mdm.HashSecret(flow.State), TenantID: inv.TenantID, InvitationID: inv.ID, Via: req.Via, Nonce: flow.Nonce,
		Platform: platform, NoticeVersion: req.NoticeVersion, Account: req.Account, ExpiresAt: now.Add(ConfirmTimeout)}
	if in.Code, err = s.Settings.Sealer.Seal(purpose, []byte(NormalizeInvitationCode(req.Code))); err != nil {
		return ConfirmStart{}, fmt.Errorf("seal invitation code: %w", err)
	}
	if in.Verifier, err = s.Settings.Sealer.Seal(purpose, []byte(flow.Verifier)); err != nil {
		return ConfirmStart{}, fmt.Errorf("seal PKCE verifier: %w", err)
	}
	if err := s.Tables(s.DB).CreateSignIn(ctx, &in, now); err != nil {
		return ConfirmStart{}, fmt.Errorf("store sign-in at the provider: %w", err)
	}
	return ConfirmStart{URL: openid.AuthURL(p, op, req.RedirectURL, flow), State: flow.State}, nil
}

// checkStep checks that the step the request asks for could be taken now with the
// invitation of its code: the errors are those the step itself would answer, and a step
// that would change nothing (the portal's invitation is redeemed already) needs no
// sign-in.
func (s *Service) checkStep(ctx context.Context, req ConfirmRequest, inv mdm.Invitation, platform mdm.Platform) error {
	st, at, can := s.on(s.DB), s.Settings.Now(), s.Core.CapabilitiesOf(platform)
	if req.Via == ViaApple {
		if err := ownedAs(inv, req.Ownership, at); err != nil {
			return err
		}
		_, err := redeemable(ctx, st, at, inv, platform, can, req.Account)
		return err
	}
	v, err := portalView(ctx, st, req.Code, at)
	if err != nil {
		return err
	}
	if v.Redeemed() {
		return ErrNoConfirmation
	}
	if err := s.Core.CheckSetUp(ctx, s.DB, v.Tenant.ID, platform); err != nil {
		return err
	}
	_, err = redeemable(ctx, st, at, v.Invitation, platform, can, "")
	return err
}
