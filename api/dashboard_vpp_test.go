package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

func TestTheAdminUploadsTheTokenOnItsPageAndPicksLicensedAppsForAPolicy(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.session(w.tenant, mdm.RoleAdmin)
	if code, to, body := w.page(http.MethodPost, "/ui/apple/vpp/token", admin, url.Values{"token": {"Stadt Musterstadt"}}); code != http.StatusSeeOther || !strings.HasPrefix(to, "/ui/apple/vpp") {
		t.Fatalf("upload: %d to %q\n%.400s", code, to, body)
	}
	code, _, body := w.page(http.MethodGet, "/ui/apple/vpp", admin, nil)
	if code != http.StatusOK || !strings.Contains(body, "Stadt Musterstadt") || !strings.Contains(body, "de.musterstadt.mail") {
		t.Fatalf("licences page: %d\n%.1500s", code, body)
	}

	// The policy editor shows how an iOS app's licences stand, and offers the catalogue's
	// apps the policy lacks: here none.
	p, err := w.svc.WorkPolicy.CreateWorkPolicy(context.Background(), "test", w.tenant, mdm.WorkPolicy{Name: "Verwaltung",
		Apps: []mdm.AppAssignment{{Platform: mdm.PlatformIOS, AppID: "de.musterstadt.mail", InstallType: mdm.InstallRequired, ManagedConfig: `{}`}}})
	if err != nil {
		t.Fatal(err)
	}
	code, _, body = w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
	if code != http.StatusOK || strings.Contains(body, `value="ios:de.musterstadt.mail"`) || !strings.Contains(body, "Alle Apps des Katalogs aus Apps und Bücher sind bereits in dieser Richtlinie.") {
		t.Fatalf("policy editor offers an app of the policy again: %d\n%.3000s", code, body)
	}
	if !strings.Contains(body, "4 free · 1 assigned") && !strings.Contains(body, "4 frei · 1 zugewiesen") {
		t.Fatalf("policy editor without the licence counts:\n%.3000s", body)
	}
}
