package enrolment

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/openid"
)

// Confirmed is the step an employee's sign-in at the provider let go on.
type Confirmed struct {
	// Code is the invitation's code, for the way back to the portal's page; it is set
	// for a refusal by the provider too, so that the page can lead back.
	Code string
	// View is the portal's view after the step (ViaPortal).
	View PortalView
	// Started is the enrolment the phone's token belongs to, and Account the managed
	// Apple account the phone signs in with (ViaApple).
	Started StartedEnrolment
	Account string
}

// FinishConfirmation takes the provider's answer that came back to the page via: the
// sign-in its state names is taken once, the code is exchanged at the provider of the
// invitation's tenant with the sign-in's PKCE verifier, and the ID token must carry its
// nonce and name the invitation's employee, by e-mail address (in any case) or by the
// directory's ID of the employee. Then, in one transaction with the event of the
// confirmation, the step the employee took goes on as without the sign-in: on the
// portal the notice is acknowledged (and the invitation redeemed for a phone that enrols
// by the portal's link); on the phone's sheet the invitation is redeemed and the token
// made. A state that leads nowhere is ErrSignInGone and counts as a wrong guess; an
// answer that cannot be trusted is ErrSignInFailed; another person is ErrNotTheEmployee.
// Each of these is recorded (when the tenant is known) and changes nothing else.
func (s *Service) FinishConfirmation(ctx context.Context, client netip.Addr, via Via, redirectURL string, a openid.Answer) (Confirmed, error) {
	if s.confirm.providers == nil || s.confirm.people == nil {
		return Confirmed{}, ErrSignInGone
	}
	var in SignIn
	err := s.guarded(ctx, client, func() error {
		var err error
		in, err = s.takeSignIn(ctx, via, a.State)
		return err
	})
	if err != nil {
		return Confirmed{}, err
	}
	purpose := signInPurpose(in.TenantID)
	code, err := s.Settings.Sealer.Open(purpose, in.Code)
	if err != nil {
		return Confirmed{}, fmt.Errorf("open invitation code: %w", err)
	}
	verifier, err := s.Settings.Sealer.Open(purpose, in.Verifier)
	if err != nil {
		return Confirmed{}, fmt.Errorf("open PKCE verifier: %w", err)
	}
	out := Confirmed{Code: string(code), Account: in.Account}
	inv, err := s.Tables(s.DB).Invitation(ctx, in.TenantID, in.InvitationID)
	if err != nil {
		return out, fmt.Errorf("invitation %s: %w", in.InvitationID, err)
	}
	refuse := func(why string, details map[string]any, err error) (Confirmed, error) {
		details["via"], details["reason"] = via, why
		rec := audit.Record{Actor: "employee:" + inv.EmployeeID, Action: audit.EmployeeConfirmRefused, Subject: audit.Invitation.Of(inv.ID),
			Details: audit.Fields(details)}
		return out, errors.Join(err, s.Core.Record(ctx, in.TenantID, rec))
	}
	p, _, err := s.confirm.providers.EmployeeProvider(ctx, in.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return refuse("the tenant no longer asks its employees to sign in", map[string]any{}, ErrSignInFailed)
	} else if err != nil {
		return out, err
	}
	id, err := s.confirm.rp.Verify(ctx, p, redirectURL, a, openid.Flow{State: a.State, Nonce: in.Nonce, Verifier: string(verifier)})
	if refusal := (*openid.Refusal)(nil); errors.As(err, &refusal) {
		return refuse(refusal.Why, map[string]any{"issuer": p.Issuer}, ErrSignInFailed)
	} else if err != nil {
		return out, err
	}
	emp, err := s.DB.Devices().Employee(ctx, in.TenantID, inv.EmployeeID)
	if err != nil {
		return out, fmt.Errorf("employee of invitation %s: %w", inv.ID, err)
	}
	external, err := s.confirm.people.ExternalID(ctx, in.TenantID, emp.ID)
	if err != nil {
		return out, fmt.Errorf("directory ID of employee %s: %w", emp.ID, err)
	}
	who := map[string]any{"issuer": id.Issuer, "subject": id.Subject, "email": id.Email()}
	if !id.Names(emp.Email, external) {
		return refuse("the provider names someone else", who, ErrNotTheEmployee)
	}
	return s.confirmed(ctx, in, string(code), inv, who)
}

// takeSignIn takes the sign-in of the state once; ErrSignInGone when there is none for
// the page, or it ran out.
func (s *Service) takeSignIn(ctx context.Context, via Via, state string) (SignIn, error) {
	if state == "" {
		return SignIn{}, fmt.Errorf("%w: no state", ErrSignInGone)
	}
	in, err := s.Tables(s.DB).TakeSignIn(ctx, mdm.HashSecret(state))
	if errors.Is(err, mdm.ErrNotFound) {
		return SignIn{}, fmt.Errorf("%w: unknown state", ErrSignInGone)
	} else if err != nil {
		return SignIn{}, fmt.Errorf("take sign-in at the provider: %w", err)
	}
	if in.Via != via {
		return SignIn{}, fmt.Errorf("%w: a state of another page", ErrSignInGone)
	}
	if !s.Settings.Now().Before(in.ExpiresAt) {
		return SignIn{}, fmt.Errorf("%w: ran out", ErrSignInGone)
	}
	return in, nil
}

// confirmed records the confirmation and takes the step the employee took before the
// sign-in, in one transaction.
func (s *Service) confirmed(ctx context.Context, in SignIn, code string, inv mdm.Invitation, who map[string]any) (Confirmed, error) {
	out := Confirmed{Code: code, Account: in.Account}
	redeemed := false
	who["via"] = in.Via
	err := s.atomic(ctx, func(tx scope, at time.Time) (err error) {
		if _, err := tx.AppendAudit(ctx, in.TenantID, at, audit.Record{Actor: "employee:" + inv.EmployeeID, Action: audit.EmployeeConfirm,
			Subject: audit.Invitation.Of(inv.ID), Details: audit.Fields(who)}); err != nil {
			return err
		}
		if in.Via == ViaPortal {
			out.View, redeemed, err = s.acceptIn(ctx, tx, at, code, in.Platform, in.NoticeVersion)
			return err
		}
		redeemed = true
		out.Started, err = s.startIn(ctx, tx, at, code, in.Platform, in.Account, "")
		return err
	})
	if errors.Is(err, mdm.ErrCommitInDoubt) && out.Started.Device.ID != "" {
		err = s.redeemedAfterAll(ctx, out.Started.Device, err)
	}
	if redeemed {
		s.count(in.Platform, err, metrics.EnrolmentStarted)
	}
	return out, err
}
