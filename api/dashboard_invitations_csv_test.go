package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// The helpdesk uploads a staff list. A file with bad lines is refused whole, and the page
// lists every bad line with its reason; the corrected file invites everyone on it and
// shows each invitation's link.
func TestInvitationCSVUploadIsAllOrNothingWithEveryBadLineShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		helpdesk := w.session(w.tenant, mdm.RoleHelpdesk)
		count := func() int {
			is, err := w.svc.Enrolment.InvitationPage(context.Background(), w.tenant, enrolment.InvitationQuery{Page: mdm.Page{Limit: mdm.MaxPageSize}})
			if err != nil {
				t.Fatal(err)
			}
			return len(is)
		}
		bad := "email;name;platform;managed_apple_id\nanna@musterstadt.example;Anna Berg;ios;\nbert(at)musterstadt.example;Bert;any;\ncarla@musterstadt.example;Carla;windows;\n"
		code, body := w.upload("/ui/invitations/csv", helpdesk, map[string]string{"csv": bad})
		if code != http.StatusBadRequest {
			t.Fatalf("a file with bad lines: %d, want 400", code)
		}
		for _, want := range []string{"<td>3</td>", "<td>4</td>", "„bert(at)musterstadt.example“ ist keine E-Mail-Adresse", "„windows“ ist keine Plattform"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal does not show %q:\n%.1500s", want, body)
			}
		}
		// Each line is checked on its own first; the import stops at the first line the
		// tenant's rules refuse: an iPhone without its managed Apple account.
		fixed := strings.NewReplacer("bert(at)", "bert@", "windows", "android").Replace(bad)
		code, body = w.upload("/ui/invitations/csv", helpdesk, map[string]string{"csv": fixed})
		if code != http.StatusBadRequest {
			t.Fatalf("an iPhone line without the managed Apple account: %d, want 400", code)
		}
		for _, want := range []string{"<td>2</td>", "verwalteten Apple Account der Person"} {
			if !strings.Contains(body, want) {
				t.Errorf("the refusal does not show %q:\n%.1500s", want, body)
			}
		}
		if n := count(); n != 0 {
			t.Errorf("%d invitations made from a refused file, want none", n)
		}
		good := strings.Replace(fixed, "ios;", "ios;anna@musterstadt.appleid.com", 1)
		code, body = w.upload("/ui/invitations/csv", helpdesk, map[string]string{"csv": good})
		if code != http.StatusOK || !strings.Contains(body, "3 Einladungen sind erstellt") ||
			strings.Count(body, `<section class="letter"`) != 3 || strings.Count(body, `<span class="code">https://mdm.musterstadt.example/e/`) != 3 {
			t.Fatalf("the corrected file: %d, want the three letters with their links:\n%.1500s", code, body)
		}
		if n := count(); n != 3 {
			t.Errorf("%d invitations, want 3", n)
		}
		if code, _, _ := w.page(http.MethodPost, "/ui/invitations/csv", helpdesk, url.Values{}); code != http.StatusBadRequest {
			t.Errorf("no file: %d, want 400", code)
		}
	})
}
