package domain

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/workpolicy"
)

// directoryEnrolment answers the directory's questions to the invitations with the
// enrolment's steps in the directory's transaction.
type directoryEnrolment struct{ e *enrolment.Service }

func (d directoryEnrolment) Invite(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, p directory.Invitee) (string, error) {
	inv, err := d.e.InviteIn(ctx, tx, at, actor, t, enrolment.InviteRequest{Email: p.Email, Name: p.Name,
		ManagedAppleID: p.ManagedAppleID, Platform: mdm.PlatformAny})
	return inv.Employee.ID, err
}

func (d directoryEnrolment) RevokePending(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, employeeID string) (int, error) {
	return d.e.RevokePendingIn(ctx, tx, at, actor, t, employeeID)
}

// directoryPolicies moves the directory's movers with the work policies' step.
type directoryPolicies struct{ w *workpolicy.Service }

func (d directoryPolicies) Move(ctx context.Context, tx mdm.Store, at time.Time, actor string, t mdm.Tenant, deviceID, policyID string) error {
	_, err := d.w.MoveIn(ctx, tx, at, actor, t, deviceID, policyID)
	return err
}

// directoryContacts names the IT contact of data protection's settings for the leavers'
// notices.
type directoryContacts struct{ dp *dataprotection.Service }

func (d directoryContacts) ITContact(ctx context.Context, t mdm.Tenant) (string, error) {
	s, err := d.dp.TenantDataProtection(ctx, t)
	return s.ITContactEmail, err
}
