package ios

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/service"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/domain"
)

// binding is the check-in and command service in front of nanomdm's. The HTTP layer has
// authenticated the request as one device of the domain (its enrolment token, and its
// certificate naming the same device); binding holds each message to that device's
// enrolment ID and reports the enrolment's steps to the domain: Authenticate begins the
// enrolment, the first TokenUpdate completes it.
type binding struct {
	next service.CheckinAndCommandService
	svc  *domain.Services
	// reports takes in the phone's answers to commands before nanomdm drops them from
	// the queue; an answer it cannot record is asked for again.
	reports func(ctx context.Context, d mdm.Device, r *apple.CommandResults) error
	// declarative switches a phone to declarative management if its OS has it: an
	// enrolling phone before its enrolment completes and its policy is applied, an enrolled
	// one when a message tells its OS version.
	declarative func(ctx context.Context, d mdm.Device) error
	// enrolled is told of a device whose enrolment has just completed.
	enrolled func(ctx context.Context, d mdm.Device) error
}

type callerKey struct{}

// withCaller returns a context that carries the device the request authenticated as.
func withCaller(ctx context.Context, d mdm.Device) context.Context {
	return context.WithValue(ctx, callerKey{}, d)
}

// callerOf returns the device the request authenticated as.
func callerOf(r *apple.Request) (mdm.Device, error) {
	d, ok := r.Context().Value(callerKey{}).(mdm.Device)
	if !ok {
		return mdm.Device{}, errors.New("request not authenticated as a device")
	}
	return d, nil
}

// errUnknownEnrolment answers a message for an enrolment other than the caller's. It is a
// client error, as nanomdm answers certificate problems: 400, never 401, which would make
// the phone ask its user to sign in again.
func errUnknownEnrolment(id string) error {
	return service.NewHTTPStatusError(http.StatusBadRequest, fmt.Errorf("enrolment %q is not the one this device enrolled", id))
}

// bound checks that the message speaks for the caller's enrolment.
func bound(r *apple.Request, e *apple.Enrollment) (mdm.Device, error) {
	d, err := callerOf(r)
	if err != nil {
		return mdm.Device{}, err
	}
	if id := enrolmentID(e); d.PlatformID == "" || id != d.PlatformID {
		return mdm.Device{}, errUnknownEnrolment(id)
	}
	return d, nil
}

// enrolmentID is the ID of the device channel a message speaks for; "" for none.
func enrolmentID(e *apple.Enrollment) string {
	if r := e.Resolved(); r != nil {
		return r.DeviceChannelID
	}
	return ""
}

// Authenticate begins an enrolment: allowed for a device that is not active yet, or that
// authenticates its active enrolment anew. nanomdm stores it first, so that a message that
// it refuses changes nothing in the domain either.
func (b *binding) Authenticate(r *apple.Request, m *apple.Authenticate) error {
	d, err := callerOf(r)
	if err != nil {
		return err
	}
	id := enrolmentID(&m.Enrollment)
	if m.Enrollment.EnrollmentUserID != "" {
		return service.NewHTTPStatusError(http.StatusBadRequest, errors.New("Authenticate on a user channel"))
	}
	if err := d.CanBeginEnrolment(id); err != nil {
		return service.NewHTTPStatusError(http.StatusBadRequest, err)
	}
	if err := b.next.Authenticate(r, m); err != nil {
		return err
	}
	if err := b.svc.Enrolment.BeginEnrolment(r.Context(), d.TenantID, d.ID, id); err != nil {
		if errors.Is(err, mdm.ErrConflict) {
			return service.NewHTTPStatusError(http.StatusBadRequest, err)
		}
		return fmt.Errorf("begin enrolment of device %s: %w", d.ID, err)
	}
	return b.reportCompliance(r.Context(), d, m.Raw)
}

// TokenUpdate stores the push data; the first one of the device channel completes the
// enrolment.
func (b *binding) TokenUpdate(r *apple.Request, m *apple.TokenUpdate) error {
	d, err := bound(r, &m.Enrollment)
	if err != nil {
		return err
	}
	if err := b.next.TokenUpdate(r, m); err != nil {
		return err
	}
	if d.State == mdm.DeviceEnrolling && m.Enrollment.EnrollmentUserID == "" {
		if b.declarative != nil {
			if err := b.declarative(r.Context(), d); err != nil {
				return fmt.Errorf("declarative management of device %s: %w", d.ID, err)
			}
		}
		if err := b.svc.Enrolment.CompleteEnrolment(r.Context(), d.TenantID, d.ID); err != nil {
			return fmt.Errorf("complete enrolment of device %s: %w", d.ID, err)
		}
		// The OS version came with Authenticate; the device is checked once it is active.
		if err := b.svc.Compliance.CheckDevice(r.Context(), d.TenantID, d.ID, compliance.Facts{}); err != nil {
			return fmt.Errorf("check compliance of device %s: %w", d.ID, err)
		}
		if b.enrolled != nil {
			if err := b.enrolled(r.Context(), d); err != nil {
				return fmt.Errorf("after the enrolment of device %s: %w", d.ID, err)
			}
		}
	}
	return nil
}

// CheckOut is the phone reporting that its enrolment profile was removed: the work
// container is gone, so the device is removed in the domain and its certificates revoked.
func (b *binding) CheckOut(r *apple.Request, m *apple.CheckOut) error {
	d, err := bound(r, &m.Enrollment)
	if err != nil {
		return err
	}
	if err := b.next.CheckOut(r, m); err != nil {
		return err
	}
	if err := b.svc.ConfirmRemoval(r.Context(), "device:"+d.ID, d.TenantID, d.ID, "the enrolment profile was removed from the phone"); err != nil {
		return fmt.Errorf("remove device %s after check-out: %w", d.ID, err)
	}
	return nil
}

// UserAuthenticate is passed on; nanomdm declines user channels.
func (b *binding) UserAuthenticate(r *apple.Request, m *apple.UserAuthenticate) ([]byte, error) {
	if _, err := bound(r, &m.Enrollment); err != nil {
		return nil, err
	}
	return b.next.UserAuthenticate(r, m)
}

// SetBootstrapToken is passed on.
func (b *binding) SetBootstrapToken(r *apple.Request, m *apple.SetBootstrapToken) error {
	if _, err := bound(r, &m.Enrollment); err != nil {
		return err
	}
	return b.next.SetBootstrapToken(r, m)
}

// GetBootstrapToken is passed on.
func (b *binding) GetBootstrapToken(r *apple.Request, m *apple.GetBootstrapToken) (*apple.BootstrapToken, error) {
	if _, err := bound(r, &m.Enrollment); err != nil {
		return nil, err
	}
	return b.next.GetBootstrapToken(r, m)
}

// DeclarativeManagement is passed on to the declarative channel (ios/ddm), through
// certauth and nanomdm, for the caller's own enrolment only.
func (b *binding) DeclarativeManagement(r *apple.Request, m *apple.DeclarativeManagement) ([]byte, error) {
	if _, err := bound(r, &m.Enrollment); err != nil {
		return nil, err
	}
	return b.next.DeclarativeManagement(r, m)
}

// GetToken is passed on.
func (b *binding) GetToken(r *apple.Request, m *apple.GetToken) (*apple.GetTokenResponse, error) {
	if _, err := bound(r, &m.Enrollment); err != nil {
		return nil, err
	}
	return b.next.GetToken(r, m)
}

// CommandAndReportResults stores a command's result and returns the next command.
func (b *binding) CommandAndReportResults(r *apple.Request, results *apple.CommandResults) (*apple.Command, error) {
	d, err := bound(r, &results.Enrollment)
	if err != nil {
		return nil, err
	}
	// An Idle report answers no command and carries no facts: reading it again for them
	// was a second plist parse on the most frequent request.
	if results.Status != "Idle" {
		if err := b.reportCompliance(r.Context(), d, results.Raw); err != nil {
			return nil, err
		}
	}
	if b.reports != nil {
		if err := b.reports(r.Context(), d, results); err != nil {
			return nil, fmt.Errorf("record the answer to %s: %w", results.CommandUUID, err)
		}
	}
	return b.next.CommandAndReportResults(r, results)
}
