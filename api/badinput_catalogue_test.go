package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/access"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// badRequest is one hostile or broken request of the catalogue and how the server must
// answer it: the status, words a person can act on, and no row changed — apart from the
// tables that record the refusal itself (failed sign-ins in the audit trail, counted code
// guesses), which the case names.
type badRequest struct {
	name        string
	method      string
	path        string
	contentType string
	body        string
	auth        string // Authorization header
	session     bool   // send an admin's dashboard session cookie (and CSRF token unless the form has one)
	status      int
	message     string   // part of the answer, case-insensitive
	records     []string // tables allowed to grow: they record the refusal
}

// injections are strings that try to break out of SQL, HTML, templates, shells and logs.
var injections = []string{
	`'; DROP TABLE employees; --`,
	`<script>alert(1)</script>`,
	`{{.Secret}}`,
	"$(reboot)",
	"line\r\nSet-Cookie: x=1",
	"\x00nul",
}

// TestBadInputCatalogue sends every request of the catalogue and checks that each is
// refused with the right 4xx and an explanation, and that it changed nothing.
func TestBadInputCatalogue(t *testing.T) {
	for _, backend := range []string{storetest.SQLite, storetest.Postgres} {
		t.Run(backend, func(t *testing.T) {
			w := newFullWorld(t, backend)
			cases := badInputCases(t, w)
			if len(cases) < 60 {
				t.Fatalf("the catalogue has %d cases; it promises at least 60", len(cases))
			}
			admin := w.session(w.tenant, mdm.RoleAdmin)
			for _, c := range cases {
				before := w.rowCounts(t)
				status, body := w.sendBad(c, admin, "en")
				body = visibleText(body)
				if status != c.status || !strings.Contains(strings.ToLower(body), strings.ToLower(c.message)) {
					t.Errorf("%s: %s %.60s: HTTP %d %.300q; want %d with %q", c.name, c.method, c.path, status, body, c.status, c.message)
				}
				after := w.rowCounts(t)
				for table, n := range after {
					if n != before[table] && !(n > before[table] && contains(c.records, table)) {
						t.Errorf("%s: table %s went from %d to %d rows", c.name, table, before[table], n)
					}
				}
			}
		})
	}
}

// visibleText is what a person reads of an HTML answer (the text of its main part, where it
// has one); other answers are returned as they are.
func visibleText(body string) string {
	if !strings.HasPrefix(body, "<!doctype html>") {
		return body
	}
	if _, main, ok := strings.Cut(body, "<main"); ok {
		body = main
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt == html.TextToken {
			b.WriteString(string(z.Text()))
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sendBad sends the case's request from a browser that asks for the language lang and
// returns the status and body.
func (w *fullWorld) sendBad(c badRequest, admin session, lang string) (int, string) {
	w.t.Helper()
	body := c.body
	if c.session && c.contentType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(body)
		if err == nil && !form.Has("csrf") {
			body += "&csrf=" + url.QueryEscape(admin.csrf)
		}
	}
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(c.method, c.path, r)
	req.RemoteAddr = "198.51.100.7:4711"
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	if c.session {
		req.AddCookie(&http.Cookie{Name: "trennwand_session", Value: admin.token})
	}
	req.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	w.srv.Echo().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// badInputCases builds the catalogue on the world's rows: the tenant's, the other
// tenant's, and invitations in every state.
func badInputCases(t *testing.T, w *fullWorld) []badRequest {
	ctx := context.Background()
	admin := "Bearer " + w.tokens[mdm.RoleAdmin]
	helpdesk := "Bearer " + w.tokens[mdm.RoleHelpdesk]
	const jsonType, formType = "application/json", "application/x-www-form-urlencoded"
	foreignDevice, foreignPolicy := w.device(w.other), w.policy(w.other)
	foreignEmployee, foreignInvitation := w.employee(w.other), w.invitation(w.other)
	ownPhone := w.device(w.tenant)

	yesterday := domain.New(w.store, storetest.PlainSealer{}, mdm.WithPlatforms(ios.Registration(), android.Registration()), mdm.WithClock(func() time.Time { return time.Now().Add(-24 * time.Hour) }))
	_, expired, err := yesterday.Access.CreateToken(ctx, "test", &w.tenant, access.TokenRequest{Name: "expired", Role: mdm.RoleAdmin, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	revokedTok, revoked, err := w.svc.Access.CreateToken(ctx, "test", &w.tenant, access.TokenRequest{Name: "revoked", Role: mdm.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Access.RevokeToken(ctx, "test", w.tenant, revokedTok.ID); err != nil {
		t.Fatal(err)
	}

	invite := func(req enrolment.InviteRequest) string {
		inv, err := w.svc.Enrolment.Invite(ctx, "test", w.tenant, req)
		if err != nil {
			t.Fatal(err)
		}
		return inv.Code
	}
	androidCode := invite(enrolment.InviteRequest{Email: "anna@musterstadt.example", Platform: mdm.PlatformAndroid})
	iosCode := invite(enrolment.InviteRequest{Email: "ben@musterstadt.example", Platform: mdm.PlatformIOS, ManagedAppleID: "ben@appleid.musterstadt.example"})
	usedCode := invite(enrolment.InviteRequest{Email: "cem@musterstadt.example", Platform: mdm.PlatformIOS, ManagedAppleID: "cem@appleid.musterstadt.example"})
	if _, err := w.svc.Enrolment.StartEnrolment(ctx, enrolment.EnrolmentRequest{Code: usedCode, Platform: mdm.PlatformIOS}); err != nil {
		t.Fatal(err)
	}
	revokedInv, err := w.svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: "dora@musterstadt.example"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Enrolment.RevokeInvitation(ctx, "test", w.tenant, revokedInv.Invitation.ID); err != nil {
		t.Fatal(err)
	}
	revokedCode := revokedInv.Code

	signIn := func(code, account string) string {
		return url.Values{"code": {code}, "user-identifier": {account}}.Encode()
	}
	cases := []badRequest{
		// JSON API: bodies.
		{name: "oversized body", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: `{"email":"` + strings.Repeat("a", 2<<20) + `@x.example"}`, status: 413, message: "too large"},
		{name: "form instead of JSON", method: "POST", path: "/api/v1/invitations", contentType: formType, auth: admin,
			body: "email=a@b.example", status: 400, message: "Content-Type"},
		{name: "truncated JSON", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: `{"email":`, status: 400, message: "decode request body"},
		{name: "JSON array for an object", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: `["a@b.example"]`, status: 400, message: "must be an object"},
		{name: "unknown JSON field", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: `{"email":"a@b.example","admin":true}`, status: 400, message: "admin"},
		{name: "invalid UTF-8", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: "{\"email\":\"a\xff@b.example\"}", status: 400, message: "e-mail"},
		{name: "unknown platform", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: `{"email":"a@b.example","platform":"windows"}`, status: 400, message: "platform"},
		{name: "unknown ownership", method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
			body: `{"email":"a@b.example","ownership":"borrowed"}`, status: 400, message: "ownership"},
		{name: "wipe an employee's own phone", method: "POST", path: "/api/v1/devices/" + ownPhone.ID + "/wipe", contentType: jsonType, auth: admin,
			body: `{"reason":"lost"}`, status: 400, message: "employee's own"},
		{name: "lock an employee's own phone as a whole", method: "POST", path: "/api/v1/devices/" + ownPhone.ID + "/lock-phone", contentType: jsonType, auth: admin,
			body: `{"reason":"lost"}`, status: 400, message: "employee's own"},
		{name: "an employee's own phone made company-owned", method: "PATCH", path: "/api/v1/devices/" + ownPhone.ID, contentType: jsonType, auth: admin,
			body: `{"ownership":"company"}`, status: 409, message: "ownership never changes", records: []string{"audit_events", "audit_heads"}},
		{name: "policy with a day of work profile off", method: "POST", path: "/api/v1/policies", contentType: jsonType, auth: admin,
			body: `{"name":"P","personal_usage":{"max_days_work_off":1}}`, status: 400, message: "days"},
		{name: "empty policy name", method: "POST", path: "/api/v1/policies", contentType: jsonType, auth: admin,
			body: `{"name":""}`, status: 400, message: "name"},
		{name: "managed configuration not an object", method: "POST", path: "/api/v1/policies", contentType: jsonType, auth: admin,
			body:   `{"name":"P","apps":[{"platform":"android","app_id":"de.example.mail","install_type":"required","managed_config":"[1,2]"}]}`,
			status: 400, message: "object"},
		{name: "private-phone command", method: "POST", path: "/api/v1/policies", contentType: jsonType, auth: admin,
			body: `{"name":"P","apps":[{"platform":"symbian","app_id":"x"}]}`, status: 400, message: "platform"},
		{name: "retention of zero days", method: "PUT", path: "/api/v1/data-protection", contentType: jsonType, auth: admin,
			body: `{"device_retention_days":0,"audit_retention_years":3}`, status: 400, message: "retention"},
		{name: "retention as text", method: "PUT", path: "/api/v1/data-protection", contentType: jsonType, auth: admin,
			body: `{"device_retention_days":"thirty"}`, status: 400, message: "must be an integer"},
		{name: "token of an unknown role", method: "POST", path: "/api/v1/tokens", contentType: jsonType, auth: admin,
			body: `{"name":"x","role":"superuser"}`, status: 400, message: "role"},
		{name: "device filter nonsense", method: "GET", path: "/api/v1/devices?state=exploded", auth: admin, status: 400, message: "state"},
		{name: "audit page after a negative event", method: "GET", path: "/api/v1/audit/events?after_seq=-1", auth: admin, status: 400, message: "after_seq"},
		{name: "audit export date malformed", method: "GET", path: "/api/v1/audit/export?from=yesterday", auth: admin, status: 400, message: "from"},
		// JSON API: who is calling.
		{name: "no token", method: "GET", path: "/api/v1/devices", status: 401, message: "token"},
		{name: "expired token", method: "GET", path: "/api/v1/devices", auth: "Bearer " + expired, status: 401, message: "token"},
		{name: "revoked token", method: "GET", path: "/api/v1/devices", auth: "Bearer " + revoked, status: 401, message: "token"},
		{name: "basic auth", method: "GET", path: "/api/v1/devices", auth: "Basic YWRtaW46YWRtaW4=", status: 401, message: "bearer"},
		{name: "helpdesk writes a policy", method: "POST", path: "/api/v1/policies", contentType: jsonType, auth: helpdesk,
			body: `{"name":"P"}`, status: 403, message: "role"},
		{name: "tenant admin creates a tenant", method: "POST", path: "/api/v1/tenants", contentType: jsonType, auth: admin,
			body: `{"name":"evil"}`, status: 403, message: "role"},
		// JSON API: other tenants' IDs.
		{name: "other tenant's device", method: "GET", path: "/api/v1/devices/" + foreignDevice.ID, auth: admin, status: 404, message: "not found"},
		{name: "lock other tenant's device", method: "POST", path: "/api/v1/devices/" + foreignDevice.ID + "/lock", contentType: jsonType, auth: admin,
			body: `{"reason":"x"}`, status: 404, message: "not found"},
		{name: "remove other tenant's work data", method: "POST", path: "/api/v1/devices/" + foreignDevice.ID + "/remove-work-data", contentType: jsonType, auth: admin,
			body: `{"reason":"x"}`, status: 404, message: "not found"},
		{name: "other tenant's employee", method: "GET", path: "/api/v1/employees/" + foreignEmployee.ID, auth: admin, status: 404, message: "not found"},
		{name: "other tenant's employee report", method: "GET", path: "/api/v1/employees/" + foreignEmployee.ID + "/report", auth: admin, status: 404, message: "not found"},
		{name: "revoke other tenant's invitation", method: "POST", path: "/api/v1/invitations/" + foreignInvitation.ID + "/revoke", auth: admin, status: 404, message: "not found"},
		{name: "other tenant's policy", method: "PUT", path: "/api/v1/policies/" + foreignPolicy.ID, contentType: jsonType, auth: admin,
			body: `{"name":"mine now","version":1}`, status: 404, message: "not found"},
		{name: "path traversal as an ID", method: "GET", path: "/api/v1/devices/..%2F..%2Fetc%2Fpasswd", auth: admin, status: 400, message: "path parameter id"},

		// Dashboard forms.
		{name: "form without CSRF token", method: "POST", path: "/ui/invitations", contentType: formType, session: true,
			body: "csrf=&email=a@b.example", status: 403, message: "form"},
		{name: "form with a forged CSRF token", method: "POST", path: "/ui/invitations", contentType: formType, session: true,
			body: "csrf=forged&email=a@b.example", status: 403, message: "form"},
		{name: "dashboard: policy name not UTF-8", method: "POST", path: "/ui/policies", contentType: formType, session: true,
			body: "name=%ff%fe", status: 400, message: "not text"},
		{name: "dashboard: invitation e-mail not UTF-8", method: "POST", path: "/ui/invitations", contentType: formType, session: true,
			body: "email=a%ff@b.example", status: 400, message: "e-mail"},
		{name: "dashboard: other tenant's device", method: "GET", path: "/ui/devices/" + foreignDevice.ID, session: true, status: 404, message: "no such entry"},
		{name: "dashboard: lock other tenant's device", method: "POST", path: "/ui/devices/" + foreignDevice.ID + "/lock", contentType: formType, session: true,
			body: "confirm=yes&reason=x", status: 404, message: "no such entry"},
		{name: "dashboard: policy form oversized", method: "POST", path: "/ui/policies", contentType: formType, session: true,
			body: "name=" + strings.Repeat("p", 2<<20), status: 413, message: "too large"},
		{name: "dashboard sign-in with a wrong password", method: "POST", path: "/ui/signin", contentType: formType,
			body: "tenant=musterstadt&email=nobody@musterstadt.example&password=wrong", status: 401, message: "Check the organisation, e-mail address and password",
			records: []string{"audit_events", "audit_heads", "sign_in_throttle"}},

		// Employee portal.
		{name: "portal: unknown code", method: "GET", path: "/e/AAAAAAAAAAAA", status: 404, message: "code",
			records: []string{"code_guesses"}},
		{name: "portal: huge code", method: "GET", path: "/e/" + strings.Repeat("A", 4000), status: 404, message: "code",
			records: []string{"code_guesses"}},
		{name: "portal: revoked invitation", method: "GET", path: "/e/" + revokedCode, status: 404, message: "ask your IT for a new invitation"},
		{name: "portal: accept without acknowledging", method: "POST", path: "/e/" + androidCode + "/accept", contentType: formType,
			body: "platform=android&notice_version=1", status: 400, message: "confirm"},
		{name: "portal: accept an old notice", method: "POST", path: "/e/" + androidCode + "/accept", contentType: formType,
			body: "acknowledge=yes&platform=android&notice_version=999", status: 400, message: "The notice has changed"},
		{name: "portal: accept for an unknown platform", method: "POST", path: "/e/" + androidCode + "/accept", contentType: formType,
			body: "acknowledge=yes&platform=blackberry&notice_version=1", status: 400, message: "phone"},
		{name: "portal: malformed form encoding", method: "POST", path: "/e/" + androidCode + "/accept", contentType: formType,
			body: "acknowledge=%zz", status: 400, message: "form"},
		{name: "portal: oversized form", method: "POST", path: "/e/" + androidCode + "/accept", contentType: formType,
			body: "acknowledge=" + strings.Repeat("y", 2<<20), status: 413, message: "too large"},

		// Apple: discovery and enrolment sign-in.
		{name: "discovery without an account", method: "GET", path: ios.PathDiscovery, status: 404, message: "user-identifier"},
		{name: "discovery with a malformed account", method: "GET", path: ios.PathDiscovery + "?user-identifier=" + url.QueryEscape("<script>"), status: 404, message: "user-identifier"},
		{name: "sign-in with an unknown code", method: "POST", path: ios.PathSignIn, contentType: formType,
			body: signIn("ZZZZZZZZZZZZ", "ben@appleid.musterstadt.example"), status: 400, message: "do not know this invitation code", records: []string{"code_guesses"}},
		{name: "sign-in with a used code (replay)", method: "POST", path: ios.PathSignIn, contentType: formType,
			body: signIn(usedCode, "cem@appleid.musterstadt.example"), status: 410, message: "has been used", records: []string{"code_guesses"}},
		{name: "sign-in with an Android invitation", method: "POST", path: ios.PathSignIn, contentType: formType,
			body: signIn(androidCode, "anna@appleid.musterstadt.example"), status: 400, message: "Android"},
		{name: "sign-in with someone else's account", method: "POST", path: ios.PathSignIn, contentType: formType,
			body: signIn(iosCode, "mallory@appleid.evil.example"), status: 400, message: "managed Apple Account"},
		{name: "sign-in with a malformed form", method: "POST", path: ios.PathSignIn, contentType: formType,
			body: "code=%%%", status: 400, message: "incomplete"},
		{name: "sign-in with an oversized form", method: "POST", path: ios.PathSignIn, contentType: formType,
			body: "code=" + strings.Repeat("A", 2<<20), status: 413, message: "too large"},
		{name: "enrolment request with a forged token", method: "POST", path: ios.PathEnrol, contentType: "application/pkcs7-signature",
			auth: "Bearer forged", body: "not signed data", status: 401, message: ""},
		// Apple: MDM endpoints.
		{name: "check-in without a device identity", method: "PUT", path: ios.PathCheckIn, contentType: "application/x-apple-aspen-mdm-checkin",
			body: "<plist></plist>", status: 401, message: "sign in on"},
		{name: "check-in with a forged signature", method: "PUT", path: ios.PathCheckIn + "?", contentType: "application/x-apple-aspen-mdm-checkin",
			body: "<plist></plist>", status: 401, message: "sign in on"},
		{name: "command endpoint without a device identity", method: "PUT", path: ios.PathConnect, body: "garbage", status: 401, message: "sign in on"},

		// SCEP and the CA.
		{name: "SCEP without an operation", method: "GET", path: "/scep/devices", status: 400, message: "operation"},
		{name: "SCEP unknown operation", method: "GET", path: "/scep/devices?operation=Explode", status: 400, message: "operation"},
		{name: "SCEP PKIOperation with garbage", method: "POST", path: "/scep/devices?operation=PKIOperation", contentType: "application/x-pki-message",
			body: "this is no PKCS#7", status: 400, message: ""},
		{name: "CA certificate by POST", method: "POST", path: "/pki/ca.pem", body: "x", status: 405, message: "method"},
		{name: "CRL by PUT", method: "PUT", path: "/pki/crl", body: "x", status: 405, message: "method"},

		// Android: Pub/Sub and the sign-up callback.
		{name: "Pub/Sub without the secret", method: "POST", path: "/android/pubsub", contentType: jsonType,
			body: `{"message":{"data":"e30=","messageId":"1"}}`, status: 401, message: "lacks its token"},
		{name: "Pub/Sub with a forged secret", method: "POST", path: "/android/pubsub?token=forged", contentType: jsonType,
			body: `{"message":{"data":"e30=","messageId":"1"}}`, status: 403, message: "token"},
		{name: "Pub/Sub with malformed JSON", method: "POST", path: w.pushURL, contentType: jsonType, body: `{"message":`, status: 400, message: "not a Pub/Sub push"},
		{name: "Pub/Sub with data not in base64", method: "POST", path: w.pushURL, contentType: jsonType,
			body: `{"message":{"data":"%%%","messageId":"1","attributes":{"notificationType":"STATUS_REPORT"}}}`, status: 400, message: "base64"},
		{name: "sign-up callback with an unknown state", method: "GET", path: "/android/signup?state=forged&enterpriseToken=x", status: 404, message: "start it again in the dashboard"},
		{name: "certificate challenge without the bootstrap secret", method: "POST", path: "/android/certificate-challenge", contentType: jsonType,
			body: `{"enterpriseSpecificId":"x"}`, status: 401, message: "secret"},
	}
	for _, s := range injections {
		cases = append(cases,
			badRequest{name: "injection in an invitation e-mail: " + s, method: "POST", path: "/api/v1/invitations", contentType: jsonType, auth: admin,
				body: `{"email":` + quote(s) + `}`, status: 400, message: "e-mail"},
			badRequest{name: "injection in a dashboard invitation: " + s, method: "POST", path: "/ui/invitations", contentType: formType, session: true,
				body: url.Values{"email": {s}}.Encode(), status: 400, message: "e-mail"},
			badRequest{name: "injection as an invitation code: " + s, method: "POST", path: ios.PathSignIn, contentType: formType,
				body: signIn(s, "ben@appleid.musterstadt.example"), status: 400, message: "do not know this invitation code", records: []string{"code_guesses"}},
		)
	}
	return cases
}

// quote writes s as a JSON string, escaping what JSON requires and nothing else.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", `\r`, "\n", `\n`, "\x00", `\u0000`)
	return `"` + r.Replace(s) + `"`
}
