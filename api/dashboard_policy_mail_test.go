package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The policy editor offers the work mail account. A port that is not a number, and a host
// written as an address with its scheme, are refused next to the account's fields in the
// reader's language, with the whole form kept and nothing saved; the fixed form saves the
// account with an IMAP account's defaults, and the editor shows them.
func TestPolicyEditorSetsTheWorkMailAccount(t *testing.T) {
	w := editorWorld(t, storetest.SQLite)
	admin := w.session(w.tenant, mdm.RoleAdmin)
	ctx := context.Background()
	p, err := w.svc.WorkPolicy.CreateWorkPolicy(ctx, "test", w.tenant, mdm.WorkPolicy{Name: "Rathaus"})
	if err != nil {
		t.Fatal(err)
	}
	form := editorPost(p)
	form.Set("description", "typed description")
	form.Set("mail_kind", "imap")
	form.Set("mail_name", "Rathaus")
	form.Set("mail_host", "imap.musterstadt.de")
	form.Set("mail_port", "neun")
	for lang, want := range map[string]string{"de": "„neun“ ist kein Port", "en": "“neun” is not a port"} {
		code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"?lang="+lang, admin, form)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d, want 422\n%.600s", lang, code, body)
		}
		for _, kept := range []string{want, `id="mail-error"`, `value="typed description"`, `<option value="imap" selected>`, `value="imap.musterstadt.de"`} {
			if !strings.Contains(body, kept) {
				t.Errorf("%s: the form shown again lacks %s", lang, kept)
			}
		}
	}
	form.Set("mail_port", "")
	form.Set("mail_host", "https://imap.musterstadt.de")
	if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID+"?lang=en", admin, form); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "is not a mail server") || !strings.Contains(body, `id="mail-error"`) {
		t.Fatalf("a host with its scheme: %d\n%.600s", code, body)
	}
	if got, _ := w.svc.WorkPolicy.WorkPolicy(ctx, w.tenant, p.ID); got.Version != 1 || got.Mail.Configured() {
		t.Fatalf("a refused form changed the policy: %+v", got)
	}
	form.Set("mail_host", "imap.musterstadt.de")
	if code, _, body := w.page(http.MethodPost, "/ui/policies/"+p.ID, admin, form); code != http.StatusSeeOther {
		t.Fatalf("the fixed form: %d\n%.600s", code, body)
	}
	got, _ := w.svc.WorkPolicy.WorkPolicy(ctx, w.tenant, p.ID)
	want := mdm.MailAccount{Kind: mdm.MailIMAP, Name: "Rathaus", Host: "imap.musterstadt.de", Port: 993, SMTPHost: "imap.musterstadt.de", SMTPPort: 587}
	if got.Mail != want {
		t.Fatalf("saved %+v, want %+v", got.Mail, want)
	}
	_, _, body := w.page(http.MethodGet, "/ui/policies/"+p.ID, admin, nil)
	for _, shown := range []string{`id="mail_port" name="mail_port" type="text" inputmode="numeric" maxlength="5" value="993"`, `value="587"`} {
		if !strings.Contains(body, shown) {
			t.Errorf("the editor lacks %s", shown)
		}
	}
}
