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

// Both pages on which an administrator uploads a token file from Apple refuse a file
// larger than Apple's can be, uploaded or pasted, with the reason in the page's language,
// on the page itself, and store nothing from it, not even its first part; a real file is
// still taken.
func TestAnOversizedTokenFileIsRefusedOnBothPages(t *testing.T) {
	w := newABMWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	code, _, certPEM := w.page(http.MethodGet, "/ui/apple/abm/certificate", admin, nil)
	if code != http.StatusOK {
		t.Fatalf("the certificate: %d", code)
	}
	// Apple's real server token, followed by more than a server token can be; and the
	// organisation of an Apps and Books token, which the fake takes as it is, likewise.
	serverToken := w.tokenFile(certPEM)
	for _, c := range []struct {
		page, path, oversized string
		said                  map[string]string
		stored                func() bool
	}{
		{"Apple Business Manager", "/ui/apple/abm/token", serverToken + strings.Repeat("\n", 64<<10),
			map[string]string{"de": "Diese Datei ist größer, als ein Server-Token sein kann", "en": "This file is larger than a server token can be"},
			func() bool {
				tok, err := w.dep.Token(context.Background(), w.tenant.ID)
				return err == nil && tok.Uploaded
			}},
		{"Apps and Books", "/ui/apple/vpp/token", "Stadt Musterstadt" + strings.Repeat(" ", 16<<10),
			map[string]string{"de": "Diese Datei ist größer, als ein Token für Apps und Bücher sein kann", "en": "This file is larger than an Apps and Books token can be"},
			func() bool {
				w.licensing.mu.Lock()
				defer w.licensing.mu.Unlock()
				_, ok := w.licensing.tokens[w.tenant.ID]
				return ok
			}},
	} {
		for lang, want := range c.said {
			code, body := w.uploadIn(lang, c.path, admin, map[string]string{"token": c.oversized})
			if code != http.StatusBadRequest || !strings.Contains(body, want) || !strings.Contains(body, `action="`+c.path+`"`) {
				t.Errorf("%s, %s: an oversized file: %d, want 400 with %q on the page\n%.2000s", c.page, lang, code, want, body)
			}
			code, _, body = w.pageIn(lang, http.MethodPost, c.path, admin, url.Values{"token": {c.oversized}})
			if code != http.StatusBadRequest || !strings.Contains(body, want) {
				t.Errorf("%s, %s: oversized text pasted: %d, want 400 with %q\n%.2000s", c.page, lang, code, want, body)
			}
		}
		if c.stored() {
			t.Errorf("%s: an oversized file was stored", c.page)
		}
	}
	if e := w.lastAudit(w.tenant); e.Action == "apple.dep_token.set" {
		t.Error("an oversized server token was audited as set")
	}

	if code, body := w.upload("/ui/apple/abm/token", admin, map[string]string{"token": serverToken}); code != http.StatusSeeOther {
		t.Errorf("the real server token: %d\n%.2000s", code, body)
	}
	if code, body := w.upload("/ui/apple/vpp/token", admin, map[string]string{"token": "Stadt Musterstadt"}); code != http.StatusSeeOther {
		t.Errorf("a real Apps and Books token: %d\n%.2000s", code, body)
	}
	if tok, err := w.dep.Token(context.Background(), w.tenant.ID); err != nil || !tok.Uploaded {
		t.Errorf("the server token after the real file: %+v %v", tok, err)
	}
	if tok, err := w.licensing.LicenceToken(context.Background(), w.tenant.ID); err != nil || tok.Organisation != "Stadt Musterstadt" {
		t.Errorf("the Apps and Books token after the real file: %+v %v", tok, err)
	}
}
