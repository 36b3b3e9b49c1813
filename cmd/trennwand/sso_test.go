package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm/openid/openidtest"
)

// runProcess runs one command line as a process of its own with the environment added,
// against the site.
func (s site) runProcess(t *testing.T, env []string, args ...string) result {
	t.Helper()
	args = slices.Concat(args, s.flags)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		code = exit.ExitCode()
	}
	return result{args: args, code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// ssoShown is what `sso show --json` prints.
type ssoShown struct {
	Issuer           string   `json:"issuer"`
	ClientID         string   `json:"client_id"`
	SecretSet        bool     `json:"client_secret_set"`
	AdminGroups      []string `json:"admin_groups"`
	MFA              string   `json:"mfa"`
	EmployeesConfirm bool     `json:"employees_confirm"`
	RedirectURI      string   `json:"redirect_uri"`
	EmployeeURIs     []string `json:"employee_redirect_uris"`
}

// IT sets the tenant's provider on the command line: a provider whose discovery cannot be
// read is refused with nothing stored; a reachable one is stored with the secret sealed
// (show never prints it) and with the employees' sign-in switched on, and the change is
// audited.
func TestSSOSetChecksTheProviderAndShowKeepsTheSecret(t *testing.T) {
	m := openidtest.Start(t)
	caFile := filepath.Join(t.TempDir(), "provider-ca.pem")
	writeFile(t, caFile, string(m.CertPEM))
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		secret := filepath.Join(t.TempDir(), "secret.txt")
		writeFile(t, secret, m.ClientSecret+"\n")
		set := []string{"sso", "set", "--tenant", "musterstadt", "--client-id", m.ClientID, "--client-secret-file", secret,
			"--admin-group", "mdm-admins", "--dpo-group", "datenschutz", "--require-mfa", "idp", "--employees-confirm", "--json"}
		trust := []string{"SSL_CERT_FILE=" + caFile}

		r := s.runProcess(t, trust, append(set, "--issuer", "https://127.0.0.1:1/nowhere")...)
		r.wantCode(t, exitUsage)
		r.wantStderr(t, "discovery", "nothing was saved")
		s.run(t, "sso", "show", "--tenant", "musterstadt").wantCode(t, exitFailed)

		r = s.runProcess(t, trust, append(set, "--issuer", m.Issuer())...)
		r.wantCode(t, 0)
		out := s.run(t, "sso", "show", "--tenant", "musterstadt", "--json")
		var shown ssoShown
		out.decode(t, &shown)
		if shown.Issuer != m.Issuer() || shown.ClientID != m.ClientID || !shown.SecretSet || shown.MFA != "amr" || !shown.EmployeesConfirm ||
			!slices.Equal(shown.AdminGroups, []string{"mdm-admins"}) || strings.Contains(out.stdout, m.ClientSecret) {
			t.Fatalf("show: %s", out.stdout)
		}
		if !strings.HasSuffix(shown.RedirectURI, "/ui/signin/sso/musterstadt/callback") || len(shown.EmployeeURIs) != 2 ||
			!strings.HasSuffix(shown.EmployeeURIs[0], "/e/signin/callback") || !strings.HasSuffix(shown.EmployeeURIs[1], "/apple/signin/callback") {
			t.Errorf("redirect URIs: %q and %q", shown.RedirectURI, shown.EmployeeURIs)
		}
		s.run(t, "sso", "set", "--tenant", "musterstadt", "--issuer", m.Issuer(), "--client-id", "x", "--require-mfa", "sometimes").
			wantCode(t, exitUsage)
		if n := s.auditActions(t, "musterstadt")["sso.update"]; n != 1 {
			t.Errorf("%d changes of the provider on record, want 1", n)
		}
	})
}

// An administrator who lost their second factor gets it reset from the command line,
// with the reason on record; an unknown address changes nothing.
func TestAdminResetSecondFactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, backend string) {
		s := newSite(t, backend)
		s.run(t, "tenant", "create", "musterstadt").wantCode(t, 0)
		s.run(t, "admin", "create", "--tenant", "musterstadt", "--email", "it@musterstadt.de").wantCode(t, 0)
		s.run(t, "admin", "reset-second-factor", "--tenant", "musterstadt", "--email", "it@musterstadt.de").wantCode(t, exitUsage)
		r := s.run(t, "admin", "reset-second-factor", "--tenant", "musterstadt", "--email", "nobody@musterstadt.de", "--reason", "lost phone")
		r.wantCode(t, exitFailed)
		r.wantStderr(t, "no administrator nobody@musterstadt.de")
		var out struct {
			Email string `json:"email"`
			Reset bool   `json:"reset"`
		}
		s.run(t, "admin", "reset-second-factor", "--tenant", "musterstadt", "--email", "IT@musterstadt.de", "--reason", "lost phone", "--json").
			decode(t, &out)
		if out.Email != "it@musterstadt.de" || !out.Reset {
			t.Fatalf("reset: %+v", out)
		}
		if n := s.auditActions(t, "musterstadt")["admin.second_factor_reset"]; n != 1 {
			t.Errorf("%d resets on record, want 1", n)
		}
	})
}

// auditActions counts the tenant's audit events by action, read behind the program's back.
func (s site) auditActions(t *testing.T, tenant string) map[string]int {
	t.Helper()
	var rows []struct {
		Action string
		N      int
	}
	err := s.sql(t).Raw(`SELECT e.action AS action, COUNT(*) AS n FROM audit_events e JOIN tenants t ON t.id = e.tenant_id
		WHERE t.name = ? GROUP BY e.action`, tenant).Scan(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Action] = r.N
	}
	return out
}
