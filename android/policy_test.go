package android_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
)

// mailApp is an app whose managed properties cover every type the check knows.
func addMailApp(s *site) {
	s.fake.AddApplication("de.example.mail", "Mail",
		&amapi.ManagedProperty{Key: "server", Type: "STRING"},
		&amapi.ManagedProperty{Key: "port", Type: "INTEGER"},
		&amapi.ManagedProperty{Key: "tls", Type: "BOOL"},
		&amapi.ManagedProperty{Key: "mode", Type: "CHOICE", Entries: []*amapi.ManagedPropertyEntry{{Value: "imap"}, {Value: "exchange"}}},
		&amapi.ManagedProperty{Key: "folders", Type: "MULTISELECT", Entries: []*amapi.ManagedPropertyEntry{{Value: "inbox"}, {Value: "sent"}}},
		&amapi.ManagedProperty{Key: "proxy", Type: "BUNDLE", NestedProperties: []*amapi.ManagedProperty{{Key: "host", Type: "STRING"}}},
		&amapi.ManagedProperty{Key: "accounts", Type: "BUNDLE_ARRAY", NestedProperties: []*amapi.ManagedProperty{
			{Key: "account", Type: "BUNDLE", NestedProperties: []*amapi.ManagedProperty{{Key: "user", Type: "STRING"}}}}},
	)
}

func mailPolicy(config string) mdm.WorkPolicy {
	return mdm.WorkPolicy{ID: mdm.NewID(), Name: "Mail", Version: 1, Apps: []mdm.AppAssignment{{
		Platform: mdm.PlatformAndroid, AppID: "de.example.mail", InstallType: mdm.InstallAvailable, ManagedConfig: mdm.JSONObject(config)}}}
}

// A managed configuration is checked against the app's managed properties before the
// policy is sent: a wrong key or a wrong type is refused, naming the key, and Google never
// sees the policy.
func TestManagedConfigurationIsChecked(t *testing.T) {
	s := newSite(t, "sqlite")
	s.bind(t)
	addMailApp(s)
	ctx := context.Background()
	good := `{"server":"mail.example","port":993,"tls":true,"mode":"imap","folders":["inbox"],"proxy":{"host":"p"},"accounts":[{"user":"a"}]}`
	if err := s.platform.ApplyPolicy(ctx, s.tenant, mailPolicy(good)); err != nil {
		t.Fatalf("a valid configuration was refused: %v", err)
	}
	patches := s.fake.Calls("policies.patch")
	cases := []struct{ config, named string }{
		{`{"sever":"mail.example"}`, `"sever"`},
		{`{"port":"993"}`, `"port"`},
		{`{"port":99.5}`, `"port"`},
		{`{"tls":"yes"}`, `"tls"`},
		{`{"mode":"pop3"}`, `"mode"`},
		{`{"folders":["inbox","drafts"]}`, `"folders"`},
		{`{"proxy":{"hots":"p"}}`, `"proxy.hots"`},
		{`{"accounts":[{"user":1}]}`, `"accounts[0].user"`},
	}
	for _, c := range cases {
		err := s.platform.ApplyPolicy(ctx, s.tenant, mailPolicy(c.config))
		if !errors.Is(err, mdm.ErrInvalid) || !strings.Contains(err.Error(), c.named) {
			t.Errorf("%s: got %v, want a refusal naming %s", c.config, err, c.named)
		}
	}
	if got := s.fake.Calls("policies.patch"); got != patches {
		t.Errorf("refused configurations reached Google: %d more patches", got-patches)
	}
}

// Re-applying a work policy at the version already applied calls nothing; a new version
// is one call, replacing the one AMAPI policy.
func TestApplyPolicyIsIdempotent(t *testing.T) {
	s := newSite(t, "sqlite")
	s.bind(t)
	ctx := context.Background()
	wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Basis", Version: 1}
	for range 3 {
		if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
			t.Fatal(err)
		}
	}
	wp.Version, wp.CopyPasteToPersonal = 2, true
	if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
		t.Fatal(err)
	}
	// One patch at bind (the baseline policy), one per version.
	if got := s.fake.Calls("policies.patch"); got != 3 {
		t.Errorf("policies.patch calls: %d, want 3", got)
	}
}

// AMAPI's errors: 429 and 5xx are temporary (the job queue tries again and the retry
// succeeds); 400 and an unknown app are final; nothing is recorded as applied until
// Google has the policy.
func TestAMAPIErrors(t *testing.T) {
	s := newSite(t, "sqlite")
	s.bind(t)
	addMailApp(s)
	ctx := context.Background()
	wp := mailPolicy(`{"server":"mail.example"}`)
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		s.fake.Fail("policies.patch", status)
		if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); !android.Temporary(err) {
			t.Errorf("%d: got %v, want a temporary failure", status, err)
		}
	}
	if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err != nil {
		t.Errorf("retry after the failures: %v", err)
	}

	s.fake.Fail("policies.patch", http.StatusBadRequest)
	wp.Version++
	if err := s.platform.ApplyPolicy(ctx, s.tenant, wp); err == nil || android.Temporary(err) {
		t.Errorf("400: got %v, want a final failure", err)
	}
	unknown := mdm.WorkPolicy{ID: mdm.NewID(), Name: "X", Version: 1, Apps: []mdm.AppAssignment{{
		Platform: mdm.PlatformAndroid, AppID: "de.example.unknown", InstallType: mdm.InstallRequired, ManagedConfig: `{"a":1}`}}}
	if err := s.platform.ApplyPolicy(ctx, s.tenant, unknown); !errors.Is(err, mdm.ErrInvalid) || !strings.Contains(err.Error(), "de.example.unknown") {
		t.Errorf("404 app: got %v", err)
	}
	if _, err := s.platform.Bind(ctx, "admin:test", s.tenant, "enterprises/LCNOSUCH", testTopic); err == nil || android.Temporary(err) {
		t.Errorf("binding an unknown enterprise: %v", err)
	}
}

// A tenant without an Android enterprise cannot invite for Android phones nor enrol one
// invited while it had one, with a message that says what to do; its policy changes need
// no call.
func TestUnboundTenant(t *testing.T) {
	s := newSite(t, "sqlite")
	_, err := s.svc.Enrolment.Invite(context.Background(), "admin:test", s.tenant, enrolment.InviteRequest{Email: "max@musterstadt.de", Platform: mdm.PlatformAndroid})
	var notSetUp *mdm.NotSetUpError
	if !errors.As(err, &notSetUp) || !strings.Contains(err.Error(), "bind an Android enterprise first") {
		t.Errorf("invitation: %v", err)
	}
	d := mdm.Device{ID: mdm.NewID(), TenantID: s.tenant.ID, Platform: mdm.PlatformAndroid, State: mdm.DeviceInvited}
	if _, err := s.platform.EnrolmentStep(context.Background(), s.tenant, d); !errors.Is(err, android.ErrNotBound) {
		t.Errorf("enrolment step: %v", err)
	}
	if err := s.platform.ApplyPolicy(context.Background(), s.tenant, mailPolicy(`{}`)); err != nil {
		t.Errorf("apply policy: %v", err)
	}
	if n := s.fake.Calls("policies.patch") + s.fake.Calls("enrollmentTokens.create"); n != 0 {
		t.Errorf("%d calls for an unbound tenant", n)
	}
}

// The domain's policy job reaches the Android policy through the driver.
func TestApplyPolicyJob(t *testing.T) {
	s := newSite(t, "sqlite")
	b := s.bind(t)
	ctx := context.Background()
	wp := mdm.WorkPolicy{ID: mdm.NewID(), Name: "Basis", Version: 1}
	if err := store.WorkPoliciesOf(s.st).CreateWorkPolicy(ctx, s.tenant.ID, &wp); err != nil {
		t.Fatal(err)
	}
	job := mdm.ApplyPolicyJob{TenantID: s.tenant.ID, PolicyID: wp.ID, Version: wp.Version}
	if err := mdm.NewDispatcher(s.svc.Service, s.platform).ApplyPolicy(ctx, job); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.fake.Policy(b.Enterprise + "/policies/wp-" + wp.ID); !ok {
		t.Error("the job did not apply the policy")
	}
}
