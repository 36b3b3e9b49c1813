package main

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
)

// `trennwand android certificates` puts the companion app into the tenant's policies and
// refuses a package name that is none, changing nothing.
func TestAndroidCertificates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		fake := amapifake.New()
		api := httptest.NewServer(fake.Handler())
		t.Cleanup(api.Close)
		enterprise := fake.CreateEnterprise("Stadt Musterstadt")
		flags := []string{"--tenant", "default", "--amapi-endpoint", api.URL + "/", "--public-url", "https://mdm.musterstadt.example"}
		s.run(t, append([]string{"android", "bind", "--enterprise", enterprise, "--topic", "projects/trennwand-test/topics/trennwand-default"}, flags...)...).wantCode(t, 0)
		before := s.auditEvents(t)["default"]

		s.run(t, append([]string{"android", "certificates", "--companion", "not a package"}, flags...)...).wantCode(t, 2)
		if s.auditEvents(t)["default"] != before {
			t.Fatal("a refused setting was recorded")
		}

		s.run(t, append([]string{"android", "certificates", "--key-for", "com.example.mail,com.example.vpn", "--json"}, flags...)...).wantCode(t, 0)
		policy, _ := fake.Policy(enterprise + "/policies/baseline")
		last := policy.Applications[len(policy.Applications)-1]
		var config map[string]string
		_ = json.Unmarshal(last.ManagedConfiguration, &config)
		if last.PackageName != android.DefaultCompanionPackage || config[android.ConfigChallengeURL] != "https://mdm.musterstadt.example"+android.PathCertificateChallenge {
			t.Errorf("companion app in the baseline policy: %s %v", last.PackageName, config)
		}
		if rules := policy.ChoosePrivateKeyRules; len(rules) != 1 || len(rules[0].PackageNames) != 2 {
			t.Errorf("choosePrivateKeyRules: %+v", rules)
		}
		if s.auditEvents(t)["default"] != before+1 {
			t.Error("enabling certificates is not one audit event")
		}
	})
}
