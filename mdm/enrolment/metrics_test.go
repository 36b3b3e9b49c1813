package enrolment_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/metrics"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// Enrolments are counted by platform as they start (an Android phone's at the portal, an
// iPhone's at its sign-in), complete, or fail; a code used twice is a failure.
func TestEnrolmentsAreCountedByPlatformAndStage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		events := metrics.NewEvents()
		svc := domain.New(s, storetest.PlainSealer{}, storetest.Platforms(), mdm.WithEvents(events))
		tn := storetest.Tenant(t, svc, "musterstadt")

		android, err := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "anna@musterstadt.de"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := svc.Enrolment.AcceptNotice(ctx, phone, android.Code, mdm.PlatformAndroid, mdm.NoticeVersion())
		if err != nil {
			t.Fatal(err)
		}
		device := v.Devices[0].ID
		if err := svc.Enrolment.BeginEnrolment(ctx, tn.ID, device, "enterprises/LC01/devices/d1"); err != nil {
			t.Fatal(err)
		}
		if err := svc.Enrolment.CompleteEnrolment(ctx, tn.ID, device); err != nil {
			t.Fatal(err)
		}

		iphone, err := svc.Enrolment.Invite(ctx, "admin:x", tn, enrolment.InviteRequest{Email: "ben@musterstadt.de", Platform: mdm.PlatformIOS,
			ManagedAppleID: "ben@appleid.musterstadt.de"})
		if err != nil {
			t.Fatal(err)
		}
		req := enrolment.EnrolmentRequest{Code: iphone.Code, Platform: mdm.PlatformIOS}
		if _, err := svc.Enrolment.StartEnrolment(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enrolment.StartEnrolment(ctx, req); err == nil {
			t.Fatal("a used code started a second enrolment")
		}

		got := storetest.Scrape(t, events)
		for _, want := range []string{
			`trennwand_enrolments_total{platform="android",stage="started"} 1`,
			`trennwand_enrolments_total{platform="android",stage="completed"} 1`,
			`trennwand_enrolments_total{platform="ios",stage="started"} 1`,
			`trennwand_enrolments_total{platform="ios",stage="failed"} 1`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("the metrics lack %s:\n%s", want, got)
			}
		}
		if strings.Contains(got, "musterstadt") {
			t.Errorf("the metrics name the tenant or a person:\n%s", got)
		}
	})
}
