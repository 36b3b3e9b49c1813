// Package browsertest drives headless Chromium (Debian's chromium package) for tests of
// the pages: a phone-sized tab, screenshots kept as test artifacts (go test -artifacts),
// and an accessibility check with axe-core that fails on serious and critical violations
// of WCAG 2.1 A and AA.
//
// When Chromium is missing, New installs it with apt-get if the test runs as root on
// Debian; only where that is impossible does it skip the test, saying why.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.10.3 (npm pack axe-core@4.10.3, package/axe.min.js; MPL-2.0,
// see testdata/axe-LICENSE).
//
//go:embed testdata/axe.min.js
var axeSource string

// EnvChromium names a Chromium binary to use instead of the one on PATH.
const EnvChromium = "TRENNWAND_CHROMIUM"

var (
	findOnce   sync.Once
	foundPath  string
	findReason string
)

// chromium returns the path of the Chromium binary, installing Debian's package when it
// is missing and the test may, or "" with the reason why there is none.
func chromium() (string, string) {
	findOnce.Do(func() {
		if p := os.Getenv(EnvChromium); p != "" {
			foundPath = p
			return
		}
		if foundPath = lookChromium(); foundPath != "" {
			return
		}
		if os.Geteuid() != 0 {
			findReason = "Chromium not found and not root: install Debian's chromium package (scripts/test does as root)"
			return
		}
		if _, err := exec.LookPath("apt-get"); err != nil {
			findReason = "Chromium not found and no apt-get to install it"
			return
		}
		install := exec.Command("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium")
		if out, err := install.CombinedOutput(); err != nil {
			findReason = "installing chromium failed: " + err.Error() + "\n" + string(out)
			return
		}
		foundPath = lookChromium()
	})
	return foundPath, findReason
}

func lookChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser is one headless Chromium for a test, closed when the test ends.
type Browser struct {
	ctx context.Context
}

// New starts Chromium for the test, or skips the test when there is none (see the
// package documentation); a Chromium that is there but fails to start fails the test.
// Options add flags, for example host-resolver-rules for a public name of the server.
func New(t *testing.T, more ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	path, reason := chromium()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests must run in CI: %s", reason)
		}
		t.Skip(reason)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // as root in containers; the pages under test are our own
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("ignore-certificate-errors", true),
	)
	opts = append(opts, more...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	return &Browser{ctx: ctx}
}

// Tab is one browser tab of a test.
type Tab struct {
	t   *testing.T
	ctx context.Context
}

// Phone opens a fresh tab the size of a phone (390×844 CSS pixels, portrait, touch, three
// device pixels per CSS pixel) that sends the user agent and Accept-Language given.
func (b *Browser) Phone(t *testing.T, userAgent, acceptLanguage string) *Tab {
	t.Helper()
	// Each tab has a browser context of its own, so that no cookie passes between tests.
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first call opens the tab and must not carry a deadline (see chromedp.Run).
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tab := &Tab{t: t, ctx: ctx}
	tab.Do(
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetUserAgentOverride,
				emulation.SetUserAgentOverrideParams{UserAgent: userAgent, AcceptLanguage: acceptLanguage})
			return err
		}),
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulatePortrait,
			chromedp.EmulateMobile, chromedp.EmulateTouch),
	)
	return tab
}

// Do runs the steps in the tab, failing the test on the first error; each call has a
// minute.
func (tab *Tab) Do(steps ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tab.t.Fatalf("browser: %v", err)
	}
}

// Load runs steps that navigate (a click on a link, a form submitted) and waits until the
// page they lead to has loaded, so that the next step looks at that page and not at the
// one being left; it fails the test on an error.
func (tab *Tab) Load(steps ...chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, steps...); err != nil {
		tab.t.Fatalf("browser: %v", err)
	}
}

// Get runs one action that returns a value, failing the test on error.
func Get[T any](tab *Tab, a chromedp.Action[T]) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tab.t.Fatalf("browser: %v", err)
	}
	return v
}

// Text returns the visible text of the page.
func (tab *Tab) Text() string {
	tab.t.Helper()
	return Get(tab, chromedp.Text(chromedp.CSS("body")))
}

// Screenshot writes a PNG of the whole page as NAME.png into the test's artifact
// directory (kept with go test -artifacts, removed otherwise).
func (tab *Tab) Screenshot(name string) {
	tab.t.Helper()
	png := Get(tab, chromedp.FullScreenshot(100))
	path := filepath.Join(tab.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tab.t.Fatal(err)
	}
	tab.t.Logf("screenshot %s", path)
}

// Violation is what axe-core reports about one broken rule.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"` // minor, moderate, serious or critical
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	targets := make([]string, 0, len(v.Nodes))
	for _, n := range v.Nodes {
		b, _ := json.Marshal(n.Target)
		targets = append(targets, string(b))
	}
	return v.ID + " (" + v.Impact + "): " + v.Help + " at " + strings.Join(targets, ", ")
}

// Violations runs axe-core on the page with the rules of WCAG 2.1 A and AA.
func (tab *Tab) Violations() []Violation {
	tab.t.Helper()
	run := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => JSON.stringify(r.violations))`
	Get(tab, chromedp.Evaluate[*runtime.RemoteObject](axeSource))
	raw := Get(tab, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		tab.t.Fatalf("axe-core result: %v", err)
	}
	return vs
}

// CheckAccessibility fails the test for each serious or critical violation of WCAG 2.1
// A and AA on the page; lesser ones are logged.
func (tab *Tab) CheckAccessibility() {
	tab.t.Helper()
	for _, v := range tab.Violations() {
		if v.Impact == "serious" || v.Impact == "critical" {
			tab.t.Errorf("accessibility: %s", v)
		} else {
			tab.t.Logf("accessibility (minor): %s", v)
		}
	}
}
