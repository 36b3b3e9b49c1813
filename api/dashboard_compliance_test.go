package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// IT tries a stricter minimum Android version on the policy page: the preview, a plain
// form without JavaScript, says how many devices it would make non-compliant and saves
// nothing; saving applies it, and the device page then shows the broken rule with its
// reason and since when.
func TestThePolicyPagePreviewsARuleBeforeItIsSaved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newAPIWorld(t, s)
		admin := w.session(w.tenant, mdm.RoleAdmin)
		policy := w.policy(w.tenant)
		for _, v := range []string{"13", "15"} {
			d := w.device(w.tenant)
			if err := s.Tables().DB().Exec("UPDATE devices SET work_policy_id = ?, os_version = ? WHERE id = ?", policy.ID, v, d.ID).Error; err != nil {
				t.Fatal(err)
			}
		}
		path := "/ui/policies/" + policy.ID + "/compliance"
		form := url.Values{"android_version.on": {"on"}, "android_version.min_version": {"14"}, "android_version.grace_days": {"3"},
			"android_version.consequences": {"notify", "mark_noncompliant"}}
		form.Set("action", "preview")
		code, _, page := w.page(http.MethodPost, path, admin, form)
		if code != http.StatusOK || !strings.Contains(page, "1 von 2 aktiven Geräten nicht konform") {
			t.Fatalf("preview: %d\n%.2000s", code, page)
		}
		if rules, _ := w.svc.Compliance.PolicyRules(ctx, w.tenant, policy.ID); len(rules) != 0 {
			t.Fatal("the preview saved the rules")
		}
		form.Set("action", "save")
		if code, to, _ := w.page(http.MethodPost, path, admin, form); code != http.StatusSeeOther || !strings.HasPrefix(to, path) {
			t.Fatalf("save: %d to %q", code, to)
		}
		if _, err := w.svc.Compliance.ApplyRules(ctx); err != nil {
			t.Fatal(err)
		}
		_, _, page = w.page(http.MethodGet, path, admin, nil)
		if !strings.Contains(page, "Now 1 of 2 active devices") && !strings.Contains(page, "Derzeit verletzen 1 von 2") {
			t.Errorf("the rule page does not count the device that breaks the rule:\n%.2000s", page)
		}
		ds, _ := s.Devices().Devices(ctx, w.tenant.ID, mdm.DeviceFilter{WorkPolicyID: policy.ID})
		for _, d := range ds {
			_, _, page := w.page(http.MethodGet, "/ui/devices/"+d.ID, admin, nil)
			broken := strings.Contains(page, "13 ist älter als das verlangte Android 14")
			if broken != (d.OSVersion == "13") {
				t.Errorf("device on Android %s: the page shows the broken rule: %v", d.OSVersion, broken)
			}
		}
	})
}
