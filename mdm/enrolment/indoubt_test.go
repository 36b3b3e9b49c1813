package enrolment_test

import (
	"context"
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// When the database is lost in the middle of a sign-in's commit (a PostgreSQL primary
// that dies while its standby takes over), the server does not know whether the code was
// redeemed. It asks the database once it answers again and tells the phone what it has:
// a redemption that was made gives the phone its token, since the code is used up now;
// one that was not leaves the code unused for the phone's next try. Either way the phone
// that tries again ends with a device and a token that works.
func TestASignInWhoseCommitWasInDoubtIsAnsweredByWhatTheDatabaseHas(t *testing.T) {
	for _, c := range []struct {
		name string
		lose func(*storetest.CommitCutter)
		made bool
	}{
		{"the commit was made and its answer lost", (*storetest.CommitCutter).LoseNextAnswer, true},
		{"the commit never reached the server", (*storetest.CommitCutter).LoseNextCommit, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s, cutter := storetest.OpenBehindCutter(t)
			svc := newService(s)
			tn := storetest.Tenant(t, svc, "musterstadt")
			inv, err := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.example",
				Platform: mdm.PlatformIOS, ManagedAppleID: "anna@appleid.musterstadt.example"})
			if err != nil {
				t.Fatal(err)
			}
			req := enrolment.EnrolmentRequest{Code: inv.Code, Platform: mdm.PlatformIOS, Account: "anna@appleid.musterstadt.example"}

			c.lose(cutter)
			started, err := svc.Enrolment.StartEnrolment(ctx, req)
			if c.made && err != nil {
				t.Fatalf("the redemption was made, but the phone was told: %v", err)
			}
			if !c.made {
				if err == nil || errors.Is(err, enrolment.ErrInvitationGone) || errors.Is(err, mdm.ErrNotFound) {
					t.Fatalf("the redemption was not made, but the phone was told %v, not to try again", err)
				}
				if n := storetest.Count(t, s, "devices", "tenant_id = ?", tn.ID); n != 0 {
					t.Fatalf("%d devices after a redemption that was not made", n)
				}
				// The phone tries again, and the code still works.
				if started, err = svc.Enrolment.StartEnrolment(ctx, req); err != nil {
					t.Fatalf("the phone's second try: %v", err)
				}
			}
			d, err := svc.Enrolment.DeviceByEnrolmentToken(ctx, started.Token)
			if err != nil || d.ID != started.Device.ID || d.State != mdm.DeviceInvited {
				t.Errorf("the phone's token finds %+v (%v), want its invited device %s", d, err, started.Device.ID)
			}
			if n := storetest.Count(t, s, "devices", "tenant_id = ?", tn.ID); n != 1 {
				t.Errorf("%d devices, want the one of the phone", n)
			}
			if _, err := svc.Enrolment.StartEnrolment(ctx, req); !errors.Is(err, enrolment.ErrInvitationGone) {
				t.Errorf("the used code was not refused: %v", err)
			}
		})
	}
}
