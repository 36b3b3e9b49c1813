package api_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/mdm/store/storetest"
	"github.com/trennwand/trennwand/ui"
	"github.com/trennwand/trennwand/ui/dashboard"
	"github.com/trennwand/trennwand/ui/dpo"
	"github.com/trennwand/trennwand/ui/portal"
)

// A German reader sees German only. A seeded world is driven through every page of the
// dashboard for each role, the forms with mistakes in them, the employee portal in each of
// its states, the Apple sign-in page and the refusals of the bad-input catalogue, with
// Accept-Language and the remembered choice both German. What a person reads of each answer
// (text, and the attributes read out or shown: title, alt, aria-label, placeholder, the
// value of a button) must hold no message ID in place of a text and none of the project's
// English messages: the English texts of the catalogues, the English sentences of the
// Go code's errors and reasons, and the English names of states.
func TestEveryPageInGermanIsWhollyGerman(t *testing.T) {
	w := newFullWorld(t, storetest.SQLite)
	lint := newLanguageLint(t)
	sessions := map[mdm.Role]session{}
	for _, r := range tenantRoles {
		sessions[r] = w.session(w.tenant, r)
	}
	seen := map[string]bool{} // what was reported already, once per page and text
	answers := 0
	look := func(where string, code int, body string) {
		t.Helper()
		answers++
		for _, f := range lint.check(body) {
			if key := where + "\x00" + f; !seen[key] {
				seen[key] = true
				t.Errorf("%s (%d): %s", where, code, f)
			}
		}
	}
	visit := func(role mdm.Role, method, path string, form url.Values) {
		t.Helper()
		if strings.HasSuffix(path, "/export") {
			return // a download for other programs (CSV, JSON Lines), with the values as stored
		}
		s := sessions[role]
		code, to, body := w.pageIn("de", method, path, s, form)
		look(method+" "+path, code, body)
		if code == http.StatusSeeOther && strings.HasPrefix(to, "/ui/") && to != "/ui/signin" {
			code, _, body = w.pageIn("de", http.MethodGet, to, s, nil)
			look(method+" "+path+" → "+to, code, body)
		}
	}

	device := germanScene(t, w, sessions[mdm.RoleAdmin], visit)

	// Every page of the dashboard for every role: the page, or the refusal a role gets.
	for key, m := range pageMatrix {
		method, path, _ := strings.Cut(key, " ")
		if method != http.MethodGet {
			continue
		}
		switch {
		case m.name != "":
			path = strings.Replace(path, ":id", m.name, 1)
		case sameFunc(m.id, deviceID):
			path = strings.Replace(path, ":id", device.ID, 1)
		case sameFunc(m.id, employeeID):
			path = strings.Replace(path, ":id", device.EmployeeID, 1)
		case m.id != nil:
			path = strings.Replace(path, ":id", m.id(w.apiWorld, w.tenant), 1)
		}
		for _, role := range tenantRoles {
			visit(role, method, path, nil)
		}
	}
	// Every form of the dashboard, sent as it should be by the first role that may.
	for key, m := range pageMatrix {
		method, path, _ := strings.Cut(key, " ")
		if method != http.MethodPost {
			continue
		}
		if m.id != nil {
			path = strings.Replace(path, ":id", m.id(w.apiWorld, w.tenant), 1)
		}
		form := url.Values{}
		if m.form != nil {
			form = m.form()
		}
		if m.formIn != nil {
			form = m.formIn(w.apiWorld, w.tenant)
		}
		visit(m.allowed[0], method, path, form)
	}
	// The Art. 15 report as the JSON API gives it to print.
	report := "/api/v1/employees/" + device.EmployeeID + "/report?format=html"
	code, body := w.call(http.MethodGet, report, w.tokens[mdm.RoleDPO], "")
	look("GET "+report, code, body)

	// The refusals of the bad-input catalogue that a person reads: everything but the
	// machines' endpoints (the JSON API stays English for scripts).
	admin := sessions[mdm.RoleAdmin]
	for _, c := range badInputCases(t, w) {
		if forMachines(c.path) {
			continue
		}
		code, body := w.sendBad(c, admin, "de")
		look(c.name+": "+c.method+" "+cut(c.path, 60), code, body)
	}
	t.Logf("read %d answers for %d English messages and %d message-ID prefixes", answers, len(lint.english), lint.prefixes)
}

// forMachines tells the paths whose answers are read by programs, not by people.
func forMachines(path string) bool {
	for _, p := range []string{"/api/", "/scim/", "/scep/", "/pki/", "/mdm/", "/android/pubsub", "/android/certificate-challenge", ios.PathDiscovery, ios.PathEnrol} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// sameFunc tells whether a and b are the same function.
func sameFunc(a, b func(*apiWorld, mdm.Tenant) string) bool {
	return a != nil && reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

// germanScene seeds the world and visits what it shows and the mistakes a person can
// make: a device that breaks its policy's compliance rules with commands in every state
// (returned, so that the device and report pages show it), forms with mistakes, the
// employee portal in each of its states and the Apple sign-in page.
func germanScene(t *testing.T, w *fullWorld, admin session, visit func(role mdm.Role, method, path string, form url.Values)) mdm.Device {
	t.Helper()
	ctx := context.Background()

	// A device that breaks the policy's compliance rules, with commands in every state.
	policy := w.policy(w.tenant)
	device := w.device(w.tenant)
	storetest.Exec(t, w.store, "UPDATE devices SET work_policy_id = ?, os_version = '13', security_patch_level = '2020-01-01' WHERE id = ?", policy.ID, device.ID)
	rules := url.Values{"action": {"save"},
		"android_version.on": {"on"}, "android_version.min_version": {"14"}, "android_version.grace_days": {"0"},
		"android_version.consequences": {"notify", "mark_noncompliant"},
		"patch_age.on":                 {"on"}, "patch_age.days": {"90"}, "patch_age.grace_days": {"0"}, "patch_age.consequences": {"notify", "mark_noncompliant"},
		"integrity.on": {"on"}, "integrity.grace_days": {"0"}, "integrity.consequences": {"notify"}}
	if code, _, body := w.pageIn("de", http.MethodPost, "/ui/policies/"+policy.ID+"/compliance", admin, rules); code != http.StatusSeeOther {
		t.Fatalf("saving the compliance rules: %d\n%.1000s", code, visibleText(body))
	}
	if err := w.svc.Compliance.CheckDevice(ctx, w.tenant.ID, device.ID, compliance.Facts{Passcode: compliance.FindingFailed,
		Integrity: compliance.FindingFailed, IntegrityDetail: "MEETS_BASIC_INTEGRITY"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Compliance.ApplyRules(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, state := range []mdm.CommandState{mdm.CommandQueued, mdm.CommandSent, mdm.CommandAcknowledged} {
		storetest.Exec(t, w.store, `INSERT INTO commands (id, tenant_id, device_id, kind, payload, state, error, created_at) VALUES (?, ?, ?, 'lock_work', '{}', ?, '', ?)`,
			mdm.NewID(), w.tenant.ID, device.ID, string(state), now)
	}
	// A lock the device answered with an error code of its platform.
	refused, err := w.svc.CommandDevice(ctx, "test", w.tenant, device.ID, mdm.CommandLockWork, "lost")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.FinishCommand(ctx, w.tenant.ID, refused.ID, "PERMISSION_DENIED"); err != nil {
		t.Fatal(err)
	}
	for _, role := range tenantRoles {
		visit(role, http.MethodGet, "/ui/devices/"+device.ID, nil)
		visit(role, http.MethodGet, "/ui/data-protection/employees/"+device.EmployeeID, nil)
		visit(role, http.MethodGet, "/ui/devices?compliance=noncompliant", nil)
	}
	visit(mdm.RoleAdmin, http.MethodGet, "/ui/policies/"+policy.ID+"/compliance", nil)
	visit(mdm.RoleAdmin, http.MethodGet, "/ui/devices/does-not-exist", nil)
	visit(mdm.RoleAdmin, http.MethodGet, "/ui/no-such-page", nil)

	// Forms with mistakes: a staff list with bad lines, a policy without a name, rules
	// that break their bounds, an action without its confirmation, an administrator who
	// exists already, settings out of range.
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {"email;name;platform\n" +
		"not-an-address;Erika Muster;android\nanna@musterstadt.example;Anna;windows\nanna@musterstadt.example;Anna;android\nben@musterstadt.example;Ben;ios\n"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {""}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {"email;name;platform\nanna@musterstadt.example;Anna\n" +
		"anna@musterstadt.example;Anna;android\nanna@musterstadt.example;Anna;android\n"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {"email;abteilung\nanna@musterstadt.example;Bauamt\n"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {"name\nAnna\n"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {"email;email\na@musterstadt.example;b@musterstadt.example\n"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/csv", url.Values{"csv_text": {"email\n"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/devices/"+device.ID+"/lock", url.Values{"reason": {""}, "confirm": {"yes"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/devices/bulk/remove-work-data", url.Values{"confirm": {"yes"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations", url.Values{"email": {"not an address"}, "platform": {"any"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations", url.Values{"email": {"ios@musterstadt.example"}, "platform": {"ios"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/policies", url.Values{"name": {""}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/policies/"+policy.ID+"/compliance", url.Values{"action": {"save"},
		"android_version.on": {"on"}, "android_version.min_version": {"vierzehn"}, "patch_age.on": {"on"}, "patch_age.days": {"-3"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/policies/"+policy.ID+"/compliance", url.Values{"action": {"save"},
		"work_passcode.on": {"on"}, "work_passcode.grace_days": {"0"}, "work_passcode.consequences": {"notify"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/devices/"+device.ID+"/lock", url.Values{"reason": {""}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/devices/"+device.ID+"/policy", url.Values{"policy": {"no-such-policy"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/admins", url.Values{"email": {"not an address"}, "role": {"helpdesk"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/admins", url.Values{"email": {"twice@musterstadt.example"}, "role": {"helpdesk"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/admins", url.Values{"email": {"twice@musterstadt.example"}, "role": {"helpdesk"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/dataprotection", url.Values{"device_retention_days": {"dreißig"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/dataprotection", url.Values{"device_retention_days": {"0"},
		"audit_retention_years": {"99"}, "inactivity_days": {"7"}, "inactivity_grace_days": {"-1"}, "inactivity_action": {"explode"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/contacts", url.Values{"display_name": {strings.Repeat("x", 500)}, "it_email": {"nope"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/tokens", url.Values{"name": {""}, "role": {"superuser"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/android/bind", url.Values{"enterprise": {"not an enterprise"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/apple", url.Values{})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/apple", url.Values{"cert_text": {"kein Zertifikat"}, "key_text": {"kein Schlüssel"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/apple/vpp/token", url.Values{"token": {"kein Token"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/apple/abm/token", url.Values{"token": {"kein Token"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/apple/abm/token", url.Values{})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/apple/abm/sync", url.Values{})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/tokens", url.Values{"name": {"Skript"}, "role": {"helpdesk"}, "validity_days": {"viele"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/settings/tokens", url.Values{"name": {"Dienstleister"}, "role": {"provider"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/resend", url.Values{"email": {"niemand@musterstadt.example"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/invitations/letters", url.Values{})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/devices/bulk/remove-work-data", url.Values{"device": {device.ID, "no-such-device"}})
	visit(mdm.RoleAdmin, http.MethodPost, "/ui/audit", url.Values{"from": {"gestern"}})
	visit(mdm.RoleAdmin, http.MethodGet, "/ui/audit?from=gestern&what=nothing.like.this", nil)
	visit(mdm.RoleAdmin, http.MethodGet, "/ui/devices?state=exploded&sort=sideways", nil)
	visit(mdm.RoleDPO, http.MethodPost, "/ui/devices/"+device.ID+"/lock", url.Values{"reason": {"x"}, "confirm": {"yes"}})

	// The employee portal: the notice, an iPhone's progress, an Android phone's devices,
	// the removal's confirmation, a removed work area, a link that does not work.
	invite := func(p mdm.Platform, account string) string {
		inv, err := w.svc.Enrolment.Invite(ctx, "test", w.tenant, enrolment.InviteRequest{Email: mdm.NewID() + "@musterstadt.example",
			Platform: p, ManagedAppleID: account})
		if err != nil {
			t.Fatal(err)
		}
		return inv.Code
	}
	accept := func(code string, p mdm.Platform) {
		form := url.Values{"acknowledge": {"yes"}, "platform": {string(p)}, "notice_version": {mdm.NoticeVersion()}}
		visit("", http.MethodPost, "/e/"+code+"/accept", form)
	}
	notice := invite(mdm.PlatformAndroid, "")
	visit("", http.MethodGet, "/e/"+notice, nil)
	visit("", http.MethodGet, "/e/"+notice+"?choose=1", nil)
	visit("", http.MethodPost, "/e/"+notice+"/accept", url.Values{"platform": {"android"}, "notice_version": {mdm.NoticeVersion()}})
	iphone := invite(mdm.PlatformIOS, "ida@appleid.musterstadt.example")
	accept(iphone, mdm.PlatformIOS)
	visit("", http.MethodGet, "/e/"+iphone, nil)
	android := invite(mdm.PlatformAndroid, "")
	accept(android, mdm.PlatformAndroid)
	view, err := w.svc.Enrolment.OpenInvitation(ctx, netip.MustParseAddr("198.51.100.9"), android)
	if err != nil || len(view.Devices) != 1 {
		t.Fatalf("the accepted Android invitation: %v, %+v", err, view)
	}
	phone := view.Devices[0]
	storetest.Exec(t, w.store, "UPDATE devices SET state = 'active' WHERE id = ?", phone.ID)
	visit("", http.MethodGet, "/e/"+android, nil)
	visit("", http.MethodGet, "/e/"+android+"/remove?device="+phone.ID, nil)
	visit("", http.MethodGet, "/e/"+android+"/remove?device=nonsense", nil)
	visit("", http.MethodPost, "/e/"+android+"/remove", url.Values{"device": {phone.ID}, "confirm": {"yes"}})
	visit("", http.MethodGet, "/e/"+android, nil)
	visit("", http.MethodGet, "/e/AAAAAAAAAAAA", nil)

	// The Apple sign-in page, as the phone opens it and with a wrong code.
	visit("", http.MethodGet, ios.PathSignIn+"?user-identifier=ida%40appleid.musterstadt.example", nil)
	visit("", http.MethodPost, ios.PathSignIn, url.Values{"code": {"ZZZZZZZZZZZZ"}, "user-identifier": {"ida@appleid.musterstadt.example"}})
	return device
}

// languageLint finds in a page what a German reader must not see.
type languageLint struct {
	english  []string       // the project's English messages
	words    *regexp.Regexp // English names of states, as whole words
	ids      *regexp.Regexp // message IDs shown instead of their text
	prefixes int            // how many first parts of message IDs ids knows
}

func newLanguageLint(t *testing.T) languageLint {
	t.Helper()
	var catalogues []*ui.Catalog
	for _, c := range []func() (*ui.Catalog, error){dashboard.Catalog, portal.Catalog, func() (*ui.Catalog, error) { return dpo.Catalog(), nil }} {
		cat, err := c()
		if err != nil {
			t.Fatal(err)
		}
		catalogues = append(catalogues, cat)
	}
	var german strings.Builder // every German text, to drop English that German shares
	prefixes := map[string]bool{}
	var english []string
	for _, c := range catalogues {
		de, en := c.Localizer("de"), c.Localizer("en")
		for _, id := range c.IDs() {
			german.WriteString(de.T(id) + "\n")
			prefixes[strings.SplitN(id, ".", 2)[0]] = true
			if en.T(id) == de.T(id) {
				continue
			}
			english = append(english, fragments(en.T(id), "<no value>")...)
		}
	}
	english = append(english, goMessages(t)...)
	var kept []string
	for _, e := range english {
		if !strings.Contains(german.String(), e) && !slices.Contains(kept, e) {
			kept = append(kept, e)
		}
	}
	if len(kept) < 500 {
		t.Fatalf("only %d English messages to look for; the collection is broken", len(kept))
	}
	var states []string
	for _, s := range []mdm.CommandState{mdm.CommandQueued, mdm.CommandSent, mdm.CommandAcknowledged} {
		states = append(states, string(s))
	}
	for _, s := range []mdm.DeviceState{mdm.DeviceInvited, mdm.DeviceEnrolling, mdm.DeviceRemoving} {
		states = append(states, string(s))
	}
	for _, s := range []mdm.Compliance{mdm.ComplianceCompliant, mdm.ComplianceInGrace, mdm.ComplianceNonCompliant} {
		states = append(states, string(s))
	}
	var ps []string
	for p := range prefixes {
		ps = append(ps, regexp.QuoteMeta(p))
	}
	slices.Sort(ps)
	return languageLint{english: kept,
		words:    regexp.MustCompile(`\b(` + strings.Join(states, "|") + `)\b`),
		ids:      regexp.MustCompile(`(^|[\s(])(` + strings.Join(ps, "|") + `)\.[a-z0-9_]+(\.[a-z0-9_]+)*($|[\s),:;])`),
		prefixes: len(ps)}
}

// englishPart is an element the page marks as English; the language switch's link to the
// English page (with hreflang) is the one that may be.
var englishPart = regexp.MustCompile(`<[a-z][a-z0-9]*\s[^>]*\blang="en[^"]*"[^>]*>`)

// check returns what of the page a German reader must not see, each finding with its text.
func (l languageLint) check(body string) []string {
	var out []string
	for _, m := range englishPart.FindAllString(body, -1) {
		if !strings.Contains(m, "hreflang=") {
			out = append(out, "a part the page itself marks as English: "+strconv.Quote(m))
		}
	}
	for _, s := range readable(body) {
		if m := l.ids.FindString(s); m != "" {
			out = append(out, "message ID instead of its text: "+strconv.Quote(strings.TrimSpace(m))+" in "+strconv.Quote(cut(s, 200)))
		}
		if m := l.words.FindString(s); m != "" {
			out = append(out, "English name of a state: "+strconv.Quote(m)+" in "+strconv.Quote(cut(s, 200)))
		}
		for _, e := range l.english {
			if strings.Contains(s, e) {
				out = append(out, "English: "+strconv.Quote(e)+" in "+strconv.Quote(cut(s, 200)))
			}
		}
	}
	return out
}

// notRead are the elements whose text is not a message: scripts and styles, and values
// shown as the machine has them (IDs, hashes, an audit event's details as recorded).
var notRead = []string{"script", "style", "code", "pre"}

// readable returns what a person reads of an answer: an HTML page's text and the
// attributes that are shown or read out, or any other answer whole.
func readable(body string) []string {
	if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(body)), "<!doctype html") {
		return []string{body}
	}
	var out []string
	z := html.NewTokenizer(strings.NewReader(body))
	skip := ""
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if slices.Contains(notRead, tok.Data) && skip == "" {
				skip = tok.Data
			}
			button := tok.Data == "button" || tok.Data == "input" && slices.ContainsFunc(tok.Attr, func(a html.Attribute) bool {
				return a.Key == "type" && (a.Val == "submit" || a.Val == "button" || a.Val == "reset")
			})
			for _, a := range tok.Attr {
				if a.Key == "title" || a.Key == "alt" || a.Key == "aria-label" || a.Key == "placeholder" || button && a.Key == "value" {
					out = append(out, a.Val)
				}
			}
		case html.EndTagToken:
			if tok.Data == skip {
				skip = ""
			}
		case html.TextToken:
			if text := strings.Join(strings.Fields(tok.Data), " "); text != "" && skip == "" {
				out = append(out, text)
			}
		}
	}
	return out
}

// fragments cuts a message at its placeholders and keeps the parts long enough to be
// English sentences of the project rather than words any language shares: at least
// three words and fourteen letters, in ASCII.
func fragments(msg, placeholder string) []string {
	var out []string
	for _, part := range strings.Split(msg, placeholder) {
		part = strings.Trim(part, " .,:;()\"'«»…-–\n")
		if len(part) < 14 || len(strings.Fields(part)) < 3 || strings.ContainsAny(part, "<>{}=/\\`") {
			continue
		}
		ascii := true
		for _, r := range part {
			if r > 127 {
				ascii = false
			}
		}
		if ascii {
			out = append(out, part)
		}
	}
	return out
}

// verb is a fmt verb, where a Go message has a value.
var verb = regexp.MustCompile(`%[-+# 0-9.*\[\]]*[a-zA-Z%]`)

// goMessages are the English sentences of the project's Go code that can reach a person:
// the literal texts of errors (errors.New, fmt.Errorf) and of the reasons and states it
// formats (fmt.Sprintf), read with go/ast from every package that is not a test.
func goMessages(t *testing.T) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, dir := range []string{"../mdm", "../ui", "../ios", "../android", "../api", "../pki"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok || !(pkg.Name == "errors" && sel.Sel.Name == "New" || pkg.Name == "fmt" && (sel.Sel.Name == "Errorf" || sel.Sel.Name == "Sprintf")) {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err == nil {
					out = append(out, fragments(verb.ReplaceAllString(s, "\x00"), "\x00")...)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
