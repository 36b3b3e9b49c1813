package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The running server answers an invitation's link with the notice, and after the
// acknowledgement with the iPhone's steps from the Apple driver.
func TestServeShowsThePortal(t *testing.T) {
	s := newSite(t, storetest.SQLite)
	s.platformsSetUp(t, "default")
	srv := startServe(t, s.flags...)
	srv.waitServing(t)
	r := s.run(t, "invite", "create", "--tenant", "default", "--email", "anna@musterstadt.de",
		"--apple-id", "anna@appleid.musterstadt.de", "--qr", "-", "--json")
	r.wantCode(t, 0)
	var inv createdInvitation
	r.decode(t, &inv)

	status, page := get(t, srv.url("/e/"+inv.Code))
	if status != http.StatusOK || !strings.Contains(page, "Ihr Arbeitgeber kann nicht sehen") {
		t.Fatalf("GET /e/{code}: %d\n%s", status, page)
	}
	form := url.Values{"platform": {"ios"}, "notice_version": {mdm.NoticeVersion()}, "acknowledge": {"yes"}}
	res, err := insecureClient.PostForm(srv.url("/e/"+inv.Code+"/accept"), form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	status, page = get(t, srv.url("/e/"+inv.Code))
	if status != http.StatusOK || !strings.Contains(page, "anna@appleid.musterstadt.de") || !strings.Contains(page, "VPN und Geräteverwaltung") {
		t.Errorf("after the acknowledgement: %d\n%s", status, page)
	}
	if status, page := get(t, srv.url("/e/NOPE")); status != http.StatusNotFound || !strings.Contains(page, "Dieser Link funktioniert nicht") {
		t.Errorf("unknown code: %d", status)
	}
}
