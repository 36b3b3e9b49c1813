// Package browsertest drives headless Chromium (Debian's chromium package) for tests of
// the pages: a phone-sized or desktop-sized tab, screenshots kept as test artifacts (go
// test -artifacts), and an accessibility check with axe-core that fails on every violation
// of WCAG 2.1 A and AA, whatever its impact. The program in screenshots/ drives the same
// Chromium to take the documentation's pictures.
//
// When Chromium is missing, New installs it with apt-get if the test runs as root on
// Debian; only where that is impossible does it skip the test, saying why.
package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
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

// Chromium returns the path of the Chromium binary, installing Debian's package when it
// is missing and the caller runs as root, or "" with the reason why there is none.
func Chromium() (string, string) {
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

// Options are how the headless Chromium at path is started: without a sandbox (as root in
// containers; the pages are our own) and trusting the test servers' certificates.
func Options(path string) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("ignore-certificate-errors", true),
	)
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
	path, reason := Chromium()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("browser tests must run in CI: %s", reason)
		}
		t.Skip(reason)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(Options(path), more...)...)
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
	return b.tab(t, userAgent, acceptLanguage, PhoneViewport())
}

// Desktop opens a fresh tab the size of an office screen (1280×800 CSS pixels, one device
// pixel per CSS pixel) that sends the user agent and Accept-Language given.
func (b *Browser) Desktop(t *testing.T, userAgent, acceptLanguage string) *Tab {
	t.Helper()
	return b.tab(t, userAgent, acceptLanguage, DesktopViewport())
}

// PhoneViewport sizes a tab like a phone.
func PhoneViewport() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulatePortrait,
		chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// DesktopViewport sizes a tab like an office screen.
func DesktopViewport() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1))
}

func (b *Browser) tab(t *testing.T, userAgent, acceptLanguage string, viewport chromedp.Action[chromedp.Void]) *Tab {
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
		viewport,
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

// Text returns the visible text of the page. A page that reloads itself (the portal's
// progress) may be between two documents when asked; then it asks again, a few times.
func (tab *Tab) Text() string {
	tab.t.Helper()
	var err error
	for range 5 {
		ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
		var text string
		text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		cancel()
		if err == nil {
			return text
		}
		time.Sleep(200 * time.Millisecond)
	}
	tab.t.Fatalf("browser: %v", err)
	return ""
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
	ctx, cancel := context.WithTimeout(tab.ctx, time.Minute)
	defer cancel()
	vs, err := Violations(ctx)
	if err != nil {
		tab.t.Fatalf("browser: %v", err)
	}
	return vs
}

// Violations runs axe-core with the rules of WCAG 2.1 A and AA on the page of the tab
// in ctx; Tab.Violations is its form for tests.
func Violations(ctx context.Context) ([]Violation, error) {
	run := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => JSON.stringify(r.violations))`
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[*runtime.RemoteObject](axeSource)); err != nil {
		return nil, fmt.Errorf("load axe-core: %w", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		return nil, fmt.Errorf("axe-core result: %w", err)
	}
	return vs, nil
}

// CheckAccessibility fails the test for each violation of WCAG 2.1 A and AA on the page,
// minor ones included: the pages promise none. It checks the page in the light and in the
// dark colour scheme (prefers-color-scheme), since the stylesheet has both, and leaves the
// tab light; and that the page fits the tab's width (CheckReflow).
func (tab *Tab) CheckAccessibility() {
	tab.t.Helper()
	tab.CheckReflow()
	for _, scheme := range []string{"dark", "light"} {
		tab.Emulate("", scheme)
		for _, v := range tab.Violations() {
			tab.t.Errorf("accessibility (%s colours): %s", scheme, v)
		}
	}
}

// sideways names the widest elements when the page is wider than the tab, so that a
// reader on a phone would have to scroll sideways to read it (WCAG 2.1, 1.4.10 Reflow); a
// table that scrolls in a box of its own does not count.
const sideways = `(() => {
	const width = document.documentElement.clientWidth;
	if (document.documentElement.scrollWidth <= width) return [];
	return [...document.querySelectorAll("main *")]
		.map(el => [el, el.getBoundingClientRect().right])
		.filter(([, right]) => right > width + 1)
		.map(([el, right]) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") + " to " + Math.round(right) + "px")
		.slice(-5);
})()`

// CheckReflow fails the test when the page is wider than the tab, naming the elements
// that stick out.
func (tab *Tab) CheckReflow() {
	tab.t.Helper()
	if wide := Get(tab, chromedp.Evaluate[[]string](sideways)); len(wide) > 0 {
		tab.t.Errorf("the page is wider than the screen (WCAG 1.4.10): %v", wide)
	}
}

// Emulate shows the tab's pages as the media type ("print", or "" for the screen) with the
// colour scheme the reader prefers ("light" or "dark").
func (tab *Tab) Emulate(media, colorScheme string) {
	tab.t.Helper()
	tab.Do(chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Media:    media,
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: colorScheme}},
		})
		return err
	}))
}
