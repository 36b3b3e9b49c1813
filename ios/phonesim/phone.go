// Package phonesim is a simulated iPhone for demos, tests and load runs: a client of the
// server's HTTP endpoints that does account-driven User Enrolment (or, as a company-owned
// phone, account-driven Device Enrollment) the way a phone does —
// discovery, the enrolment request answered with 401, the web sign-in with the invitation
// code, the signed enrolment profile, SCEP for its identity certificate (with smallstep's
// SCEP client), Authenticate and TokenUpdate — and then answers the MDM commands it is
// given, each message signed into the Mdm-Signature header by nanomdm's test/protocol
// transport.
//
// A phone configured with an iOS version of 17 or later also speaks Declarative Device
// Management: on the server's DeclarativeManagement command it asks for the tokens,
// fetches the declaration items and each declaration whose ServerToken changed, checks
// each one as iOS does on a User Enrolment (package ios/ddm/ddmschema, generated from
// Apple's schema), applies what a simulator can — work apps, status subscriptions, and
// the certificates of credential.scep assets, whose SCEP document it fetches with its MDM
// authentication and whose certificate it requests over SCEP like its own (AssetIdentities)
// — and reports its status in Apple's format, in full first and then only what changed. DDM
// counts how much it fetched, SetPasscodeCompliant lets a test break its passcode's
// compliance, and Declarations shows what it holds.
package phonesim

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/micromdm/nanomdm/test/protocol"

	"github.com/trennwand/trennwand/ios"
)

// Config says how simulated phones reach the server.
type Config struct {
	// Server is the server's base URL, as devices reach it.
	Server string
	// Client sends the phones' requests; it must trust the server's certificate and must
	// not follow redirects (the sign-in redirects to the phone's own URL scheme).
	Client *http.Client
	// Keys hands out the RSA keys of the phones: a real phone makes a new key for its
	// identity, a load run may reuse a few so that it measures the server, not itself.
	Keys func() (*rsa.PrivateKey, error)
	// OSVersion is the iOS version the phones report ("18.5"): in their Authenticate
	// check-in and their answers to DeviceInformation and SecurityInfo. From 17 on they
	// also speak Declarative Device Management when the server sends the
	// DeclarativeManagement command. Empty: the phones say nothing about themselves and
	// refuse that command, as before.
	OSVersion string
	// Company makes the phones company-owned devices of the employer: they enrol by
	// account-driven Device Enrollment (the discovery entry mdm-adde, iOS 17 and later),
	// speak for their device channel by UDID, tell their serial number, model and
	// capacity when asked, and carry out DeviceLock and EraseDevice. Otherwise they are
	// the employees' own phones, enrolled by User Enrolment, which tell none of it and
	// refuse commands on the whole phone.
	Company bool
	// SetupURL makes the phones bought company-owned devices that Automated Device
	// Enrollment sets up: the sign-in page of the profile Apple hands them in their Setup
	// Assistant (the profile's configuration_web_url). They enrol there with the code of a
	// company invitation, are supervised, and talk to the MDM endpoints with their
	// certificate alone.
	SetupURL string
}

// NewKey makes a new 2048-bit RSA key, what a phone makes for its identity.
func NewKey() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }

// Phone is one simulated iPhone with its managed Apple account. Once enrolled it knows an
// enrolment ID, never a UDID or serial number — unless it is a company-owned phone
// (Config.Company), which enrols by device enrolment and has both. Its methods may be called from several
// goroutines (a push wakes it while it checks in on its own).
type Phone struct {
	cfg     Config
	account string

	enrollmentID string
	pushMagic    string
	pushToken    []byte

	token                 string
	info                  []byte // the signed device information, made once
	topic                 string
	serverURL, checkInURL string // the MDM endpoints of the profile
	transport             *protocol.Transport
	// authenticated is set once the server has answered the Authenticate check-in.
	authenticated bool
	identity      identity

	mu      sync.Mutex // serialises check-ins, as the phone's MDM client does
	apps    map[string]bool
	done    map[string]bool // UUIDs of the commands carried out
	repeats int             // commands handed over again after they were carried out
	// passcodeNotCompliant is the test's switch for the work passcode's compliance.
	passcodeNotCompliant bool
	ddm                  declarative
	// hw is a company-owned phone's hardware; zero for one of the employee's own.
	hw hardware
	// locked, erased and lost are what commands on the whole phone did; received lists
	// those commands as they came.
	locked, erased, lost bool
	received             []string
	// lostScreen is what the lock screen shows in lost mode, lockScreen what it shows since
	// a DeviceLock.
	lostScreen, lockScreen LostScreen
}

// New returns a phone for the managed Apple account that has not enrolled yet.
func New(cfg Config, account string) *Phone {
	if cfg.Keys == nil {
		cfg.Keys = NewKey
	}
	p := &Phone{cfg: cfg, account: account, enrollmentID: strings.ToUpper(randomHex(16)),
		pushMagic: randomHex(16), pushToken: []byte(randomHex(32)), apps: make(map[string]bool), done: make(map[string]bool),
		ddm: newDeclarative()}
	if p.company() {
		p.hw = newHardware(cfg.SetupURL != "")
	}
	return p
}

// Account is the phone's managed Apple account.
func (p *Phone) Account() string { return p.account }

// PushToken is the APNs device token (hex) the phone told the server in its TokenUpdate.
func (p *Phone) PushToken() string { return hex.EncodeToString(p.pushToken) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Enrol takes the phone through the whole enrolment with the invitation code the
// employee types into the sign-in page, up to its first TokenUpdate. Called again after a
// failure, it starts over as a phone does, but keeps the access token of a sign-in that
// succeeded: the phone asks for its profile with it instead of signing in again.
func (p *Phone) Enrol(ctx context.Context, code string) error {
	if p.cfg.SetupURL != "" {
		if p.transport == nil {
			if err := p.enrolAutomated(ctx, code); err != nil {
				return err
			}
		}
		return p.announce(ctx)
	}
	baseURL, err := p.discover(ctx)
	if err != nil {
		return err
	}
	if p.token == "" {
		signIn, err := p.askForProfile(ctx, baseURL)
		if err == nil {
			err = fmt.Errorf("enrolment request without a token was answered with a profile, not 401")
		}
		if !errors.Is(err, errSignIn) {
			return err
		}
		if p.token, err = p.signIn(ctx, signIn, code); err != nil {
			return err
		}
	}
	// A phone that has its profile and identity already (the server stopped after the
	// SCEP step) carries on with the check-ins, as an iPhone does; asking for the profile
	// again would be refused once the enrolment has gone further.
	if p.transport == nil {
		if _, err := p.askForProfile(ctx, baseURL); err != nil {
			return err
		}
	}
	return p.announce(ctx)
}

// discover asks the account's domain for its enrolment servers and returns the BaseURL of
// the phone's kind of enrolment.
func (p *Phone) discover(ctx context.Context) (string, error) {
	u := p.cfg.Server + ios.PathDiscovery + "?user-identifier=" + url.QueryEscape(p.account) + "&model-family=iPhone"
	body, _, err := p.do(ctx, http.MethodGet, u, "", nil, http.StatusOK)
	if err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	var doc struct {
		Servers []struct{ Version, BaseURL string }
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	for _, server := range doc.Servers {
		if server.Version == p.discoveryVersion() && server.BaseURL != "" {
			return server.BaseURL, nil
		}
	}
	return "", fmt.Errorf("discovery: no %s enrolment server in %q", p.discoveryVersion(), body)
}

// errSignIn means the enrolment server wants the user to sign in first.
var errSignIn = errors.New("sign-in required")

// askForProfile posts the phone's signed device information to the BaseURL. Without a
// token the server answers 401 naming its sign-in page, which is returned with errSignIn;
// with one it answers the enrolment profile, which the phone installs.
func (p *Phone) askForProfile(ctx context.Context, baseURL string) (string, error) {
	info, err := p.deviceInfo()
	if err != nil {
		return "", err
	}
	body, resp, err := p.do(ctx, http.MethodPost, baseURL, "application/pkcs7-signature", info, http.StatusOK, http.StatusUnauthorized)
	if err != nil {
		return "", fmt.Errorf("enrolment request: %w", err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		signIn, ok := signInURL(resp.Header.Get("WWW-Authenticate"))
		if !ok {
			return "", fmt.Errorf("enrolment request: 401 without a sign-in URL: %q", resp.Header.Get("WWW-Authenticate"))
		}
		return signIn, errSignIn
	}
	return "", p.install(ctx, body)
}

// signInURL reads the url parameter of `Bearer method="apple-as-web", url="…"`.
func signInURL(challenge string) (string, bool) {
	_, rest, ok := strings.Cut(challenge, `url="`)
	if !ok {
		return "", false
	}
	u, _, ok := strings.Cut(rest, `"`)
	return u, ok && u != ""
}

// signIn submits the sign-in form as the phone's web view does and returns the access
// token of the redirect to the phone's URL scheme.
func (p *Phone) signIn(ctx context.Context, signInURL, code string) (string, error) {
	form := url.Values{"code": {code}, "user-identifier": {p.account}}
	_, resp, err := p.do(ctx, http.MethodPost, signInURL, "application/x-www-form-urlencoded", []byte(form.Encode()), http.StatusPermanentRedirect)
	if err != nil {
		return "", fmt.Errorf("sign-in: %w", err)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Scheme != "apple-remotemanagement-user-login" || loc.Query().Get("access-token") == "" {
		return "", fmt.Errorf("sign-in redirects to %q, not to the phone with an access token", resp.Header.Get("Location"))
	}
	return loc.Query().Get("access-token"), nil
}

// do sends one request with the phone's token and returns the body; a status other than
// the wanted ones is an error that quotes the answer.
func (p *Phone) do(ctx context.Context, method, u, contentType string, body []byte, want ...int) ([]byte, *http.Response, error) {
	header := http.Header{}
	if contentType != "" {
		header.Set("Content-Type", contentType)
	}
	return p.send(ctx, method, u, header, body, want...)
}

// send is do with the request's headers.
func (p *Phone) send(ctx context.Context, method, u string, header http.Header, body []byte, want ...int) ([]byte, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header = header
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := p.cfg.Client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, nil, err
	}
	for _, w := range want {
		if resp.StatusCode == w {
			return out, resp, nil
		}
	}
	return nil, nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, out)
}
