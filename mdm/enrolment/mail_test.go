package enrolment_test

import (
	"context"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// With e-mail configured, every new invitation queues its mail in its own transaction;
// the job carries the code sealed, the mail goes out once, and the sending is audited.
func TestInvitationsAreMailedOnceByTheQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithInvitationMail())
		tn := storetest.Tenant(t, svc, "musterstadt")
		sent := make(chan enrolment.InvitationMail, 10)
		jobsSeen := make(chan enrolment.InvitationMailJob, 10)
		q := jobs.New(s.JobDriver(), nil, jobs.Config{Poll: 20 * time.Millisecond})
		jobs.Handle(q, func(ctx context.Context, job enrolment.InvitationMailJob) error {
			jobsSeen <- job
			return svc.Enrolment.SendInvitationMail(ctx, job, func(_ context.Context, m enrolment.InvitationMail) error {
				sent <- m
				return nil
			})
		})
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = q.Stop(context.Background()) })

		inv, err := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.de", Name: "Anna"})
		if err != nil {
			t.Fatal(err)
		}
		var m enrolment.InvitationMail
		select {
		case m = <-sent:
		case <-time.After(30 * time.Second):
			t.Fatal("the invitation was not mailed")
		}
		if m.Code != inv.Code || m.Employee.Email != "anna@musterstadt.de" || m.Tenant.ID != tn.ID {
			t.Errorf("mail %+v", m)
		}
		job := <-jobsSeen
		if code, err := (storetest.PlainSealer{}).Open("invitation-mail:"+inv.Invitation.ID, job.SealedCode); err != nil || string(code) != inv.Code {
			t.Errorf("the job's code is not sealed for its invitation: %v", err)
		}
		waitUntil(t, func() bool {
			got, _ := store.EnrolmentOf(s).Invitation(ctx, tn.ID, inv.Invitation.ID)
			return got.MailedAt != nil
		})
		if e := lastAction(t, s, tn.ID); e.Action != "invitation.mail" || e.Actor != mdm.ActorSystem {
			t.Errorf("audit %+v", e)
		}
		again := 0
		if err := svc.Enrolment.SendInvitationMail(ctx, job, func(context.Context, enrolment.InvitationMail) error { again++; return nil }); err != nil || again != 0 {
			t.Errorf("a repeated job sent again: %d, %v", again, err)
		}
	})
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Without e-mail configured, no job is queued: invitations are handed over by letter.
func TestWithoutMailNoJobIsQueued(t *testing.T) {
	s := storetest.Open(t, storetest.SQLite)
	svc := newService(s)
	tn := storetest.Tenant(t, svc, "musterstadt")
	if _, err := svc.Enrolment.Invite(context.Background(), "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.de"}); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := s.Tables().DB().Table("river_job").Count(&n).Error; err != nil || n != 0 {
		t.Errorf("jobs: %d, %v", n, err)
	}
}
