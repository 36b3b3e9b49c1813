package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// newInvitations is the answer of an operation that makes codes.
type newInvitations struct {
	Invitations []struct {
		Invitation struct {
			ID            string `json:"id"`
			EmployeeEmail string `json:"employee_email"`
		} `json:"invitation"`
		Code string `json:"code"`
		URL  string `json:"url"`
	} `json:"invitations"`
}

// A CSV file is imported through the API whole or not at all, as in the dashboard: a
// file with a bad line names the line and invites nobody; a good one, with semicolons
// as a spreadsheet writes them, answers every code once.
func TestInvitationImportThroughTheAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		helpdesk := w.tokens[mdm.RoleHelpdesk]
		countInvitations := func() int {
			_, body := w.call(http.MethodGet, "/api/v1/invitations", helpdesk, "")
			return strings.Count(body, `"employee_id"`)
		}
		for _, bad := range []struct {
			name, body string
			line       int
		}{
			{"bad address on line 3", "email,platform\nanna@musterstadt.example,android\nnot an address,android\n", 3},
			{"unknown platform on line 2", "email;platform\nbert@musterstadt.example;windows\n", 2},
			{"no email column", "name\nAnna\n", 0},
			{"nothing", " ", 0},
		} {
			code, body := w.send(http.MethodPost, "/api/v1/invitations/import", helpdesk, "text/csv", bad.body)
			if code != http.StatusBadRequest {
				t.Errorf("%s: %d %s, want 400", bad.name, code, body)
				continue
			}
			var p problemBody
			decode(t, body, &p)
			if bad.line > 0 && (p.Type != "urn:trennwand:problem:csv-refused" || len(p.Errors) != 1 || p.Errors[0].Line != bad.line) {
				t.Errorf("%s: %s, want line %d named", bad.name, body, bad.line)
			}
		}
		if n := countInvitations(); n != 0 {
			t.Fatalf("refused imports made %d invitations", n)
		}
		code, body := w.send(http.MethodPost, "/api/v1/invitations/import", helpdesk, "text/csv",
			"\ufeffE-Mail;Name;Platform\nanna@musterstadt.example;Anna Muster;android\nbert@musterstadt.example;Bert;any\n")
		if code != http.StatusCreated {
			t.Fatalf("import: %d %s", code, body)
		}
		var made newInvitations
		decode(t, body, &made)
		if len(made.Invitations) != 2 || made.Invitations[0].Code == "" ||
			made.Invitations[0].URL != "https://mdm.musterstadt.example/e/"+made.Invitations[0].Code {
			t.Errorf("imported = %s", body)
		}
		if n := countInvitations(); n != 2 {
			t.Errorf("%d invitations after the import, want 2", n)
		}
		if e := w.lastAudit(w.tenant); !strings.HasPrefix(string(e.Action), "invitation.") {
			t.Errorf("last audit event = %s, want the invitations'", e.Action)
		}
	})
}

// Resending gives the employee a new code and kills the old one; an address without a
// pending invitation is 404 and changes nothing. Letters for everyone not reached yet
// give each a new code once: the second time there is nothing left.
func TestResendAndReissueThroughTheAPI(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	helpdesk := w.tokens[mdm.RoleHelpdesk]
	code, body := w.call(http.MethodPost, "/api/v1/invitations", helpdesk, `{"email":"carla@musterstadt.example","platform":"android"}`)
	if code != http.StatusCreated {
		t.Fatalf("invite: %d %s", code, body)
	}
	var first struct {
		Invitation struct{ ID string } `json:"invitation"`
		Code       string              `json:"code"`
	}
	decode(t, body, &first)
	before := len(w.auditActions(w.tenant))
	for _, bad := range []struct {
		body   string
		status int
	}{{`{"email":"nobody@musterstadt.example"}`, 404}, {`{"email":"not an address"}`, 400}, {`{}`, 400}} {
		if code, body := w.call(http.MethodPost, "/api/v1/invitations/resend", helpdesk, bad.body); code != bad.status {
			t.Errorf("resend %s: %d %s, want %d", bad.body, code, body, bad.status)
		}
	}
	if after := len(w.auditActions(w.tenant)); after != before {
		t.Errorf("refused resends wrote %d audit events", after-before)
	}
	code, body = w.call(http.MethodPost, "/api/v1/invitations/resend", helpdesk, `{"email":"Carla@Musterstadt.example"}`)
	var again struct {
		Invitation struct{ ID string } `json:"invitation"`
		Code       string              `json:"code"`
	}
	decode(t, body, &again)
	if code != http.StatusCreated || again.Code == "" || again.Code == first.Code || again.Invitation.ID == first.Invitation.ID {
		t.Fatalf("resend: %d %s", code, body)
	}
	_, list := w.call(http.MethodGet, "/api/v1/invitations", helpdesk, "")
	if !strings.Contains(list, `"id":"`+first.Invitation.ID+`","employee_id"`) || !strings.Contains(list, `"status":"revoked"`) {
		t.Errorf("the old invitation is not revoked: %s", list)
	}

	code, body = w.call(http.MethodPost, "/api/v1/invitations/reissue-unsent", helpdesk, "")
	var reissued newInvitations
	decode(t, body, &reissued)
	if code != http.StatusOK || len(reissued.Invitations) != 1 || reissued.Invitations[0].Invitation.EmployeeEmail != "carla@musterstadt.example" {
		t.Fatalf("reissue: %d %s", code, body)
	}
	if code, body := w.call(http.MethodPost, "/api/v1/invitations/reissue-unsent", helpdesk, ""); code != http.StatusOK || body != `{"invitations":[]}`+"\n" {
		t.Errorf("reissue with nothing unsent: %d %q", code, body)
	}
}

// The data-protection officer lists the employees to choose a report and reads who
// looked at whose data; a device opened by the helpdesk is in the access log with its
// employee.
func TestDataProtectionOfficerReadsThroughTheAPI(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	dpo := w.tokens[mdm.RoleDPO]
	d := w.device(w.tenant)
	if code, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, w.tokens[mdm.RoleHelpdesk], ""); code != http.StatusOK {
		t.Fatalf("open the device: %d %s", code, body)
	}
	code, body := w.call(http.MethodGet, "/api/v1/data-protection/employees?limit=1", dpo, "")
	if code != http.StatusOK || strings.Count(body, `"email"`) != 1 || !strings.Contains(body, `"next_cursor"`) {
		t.Errorf("employees: %d %s", code, body)
	}
	code, body = w.call(http.MethodGet, "/api/v1/data-protection/access-log", dpo, "")
	var log struct {
		Accesses []struct {
			Event struct {
				Action  string `json:"action"`
				Subject string `json:"subject"`
			} `json:"event"`
			Employee *struct{ ID string } `json:"employee"`
		} `json:"accesses"`
	}
	decode(t, body, &log)
	if code != http.StatusOK || len(log.Accesses) != 1 || log.Accesses[0].Event.Subject != "device:"+d.ID ||
		log.Accesses[0].Employee == nil || log.Accesses[0].Employee.ID != d.EmployeeID {
		t.Errorf("access log: %d %s", code, body)
	}
	if code, body := w.call(http.MethodGet, "/api/v1/data-protection/access-log?after_seq=-1", dpo, ""); code != http.StatusBadRequest {
		t.Errorf("access log after -1: %d %s, want 400", code, body)
	}
}

// An administrator allows an Android device's certificate renewal with a reason, as on
// the device page; the device then shows the renewal allowed. Without a reason nothing
// happens.
func TestCertificateRenewalThroughTheAPI(t *testing.T) {
	w := newAPIWorld(t, storetest.Open(t, storetest.SQLite))
	admin := w.tokens[mdm.RoleAdmin]
	d := w.device(w.tenant)
	path := "/api/v1/devices/" + d.ID + "/allow-certificate-renewal"
	for _, bad := range []string{`{}`, `{"reason":""}`, `{"reason":"   "}`} {
		if code, body := w.call(http.MethodPost, path, admin, bad); code != http.StatusBadRequest {
			t.Errorf("allow with %s: %d %s, want 400", bad, code, body)
		}
	}
	if _, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, admin, ""); !strings.Contains(body, `"renewal_allowed":false`) {
		t.Errorf("device before: %s", body)
	}
	if code, body := w.call(http.MethodPost, path, admin, `{"reason":"new phone, same employee"}`); code != http.StatusNoContent {
		t.Fatalf("allow: %d %s", code, body)
	}
	if _, body := w.call(http.MethodGet, "/api/v1/devices/"+d.ID, admin, ""); !strings.Contains(body, `"renewal_allowed":true`) {
		t.Errorf("device after: %s", body)
	}
}

// Whatever file is uploaded, the import answers 201 or a problem of the caller's
// (400, 409, 413), never a failure of the server, and a refused file invites nobody.
func FuzzInvitationImportAnswers(f *testing.F) {
	for _, seed := range []string{
		"email\nanna@musterstadt.example\n",
		"email;platform;managed_apple_id\nbert@musterstadt.example;ios;bert@musterstadt.appleid.com\n",
		"\ufeffE-Mail,Name\n\"carla@musterstadt.example\",\"Carla \"\"C\"\" M\"\n",
		"email\n\"unterminated\n",
		"email,email\na@b.example,c@d.example\n",
		"",
	} {
		f.Add(seed)
	}
	w := newAPIWorld(f, storetest.Open(f, storetest.SQLite))
	f.Fuzz(func(t *testing.T, csv string) {
		w.t = t
		before := len(w.auditActions(w.tenant))
		code, body := w.send(http.MethodPost, "/api/v1/invitations/import", w.tokens[mdm.RoleHelpdesk], "text/csv", csv)
		switch code {
		case http.StatusCreated:
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
			if after := len(w.auditActions(w.tenant)); after != before {
				t.Errorf("a refused import wrote %d audit events: %s", after-before, body)
			}
		default:
			t.Errorf("import of %q: %d %s", csv, code, body)
		}
	})
}
