// Command screenshots takes the pictures in docs/screenshots: it starts `trennwand serve
// --demo` on a new data directory and a free port, signs in as the demo's first
// administrator (password, authenticator code, own password), waits for the demo's
// simulated phones, and saves the key pages in German as PNG — the dashboard at an office
// screen's size, the employee portal at a phone's — each after axe-core found nothing on
// it at that size. scripts/screenshots builds and runs it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/trennwand/trennwand/ui/browsertest"
)

const (
	desktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	phoneUA   = "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
	language  = "de-DE,de;q=0.9"
)

func main() {
	bin := flag.String("bin", "", "the trennwand binary to run")
	out := flag.String("out", "docs/screenshots", "directory the PNG files are written to")
	devices := flag.Int("devices", 6, "how many simulated phones to wait for")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "screenshots: -bin is required")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run(ctx, *bin, *out, *devices); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

// signIn is what `serve --json` prints of the first administrator.
type signIn struct {
	Tenant     string `json:"tenant"`
	URL        string `json:"url"`
	Email      string `json:"email"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
}

func run(ctx context.Context, bin, out string, devices int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	data, err := os.MkdirTemp("", "trennwand-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	admin, base, stop, err := serve(ctx, bin, data, devices)
	if err != nil {
		return err
	}
	defer stop()

	path, reason := browsertest.Chromium()
	if path == "" {
		return errors.New(reason)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, browsertest.Options(path)...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		return fmt.Errorf("start Chromium: %w", err)
	}
	s := shooter{out: out, base: base}
	desk, closeDesk, err := s.tab(browserCtx, desktopUA, browsertest.DesktopViewport())
	defer closeDesk()
	if err != nil {
		return err
	}
	code, err := s.dashboard(desk, admin, devices)
	if err != nil {
		return err
	}
	phone, closePhone, err := s.tab(browserCtx, phoneUA, phoneViewport())
	defer closePhone()
	if err != nil {
		return err
	}
	return s.portal(phone, code)
}

// phoneViewport is browsertest's phone at two device pixels per CSS pixel, which keeps
// the picture sharp and its file small.
func phoneViewport() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulatePortrait,
		chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// serve starts the server in demo mode on a free port and reads the first
// administrator's sign-in from its output.
func serve(ctx context.Context, bin, data string, devices int) (signIn, string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return signIn{}, "", nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	base := "https://" + addr
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--json", "--data", data, "--addr", addr,
		"--public-url", base, "--demo-devices", fmt.Sprint(devices), "--admin-email", "it@musterstadt.example")
	cmd.Env = append(os.Environ(), "TRENNWAND_DB=")
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return signIn{}, "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return signIn{}, "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	var admin signIn
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(&admin); err != nil {
		stop()
		return signIn{}, "", nil, fmt.Errorf("read the sign-in details: %w", err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return admin, base, stop, nil
}

// shooter saves the pictures of one server.
type shooter struct {
	out, base string
}

// tab opens a tab of its own (no cookies shared) with the user agent and size given.
func (s shooter) tab(parent context.Context, userAgent string, viewport chromedp.Action[chromedp.Void]) (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		return nil, cancel, fmt.Errorf("open a tab: %w", err)
	}
	return ctx, cancel, chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetUserAgentOverride,
				emulation.SetUserAgentOverrideParams{UserAgent: userAgent, AcceptLanguage: language})
			return err
		}),
		viewport,
	)
}

// dashboard signs in, waits for the devices and saves the dashboard's pages; it returns
// the invitation code of the letter it made, for the portal.
func (s shooter) dashboard(tab context.Context, admin signIn, devices int) (string, error) {
	if err := s.open(tab, "/ui/?lang=de", "#password"); err != nil {
		return "", err
	}
	if err := s.save(tab, "signin"); err != nil {
		return "", err
	}
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS("#tenant"), admin.Tenant),
		chromedp.SendKeys(chromedp.CSS("#email"), admin.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), admin.Password),
	}
	if err := s.submit(tab, "#password", "#code", steps...); err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	code, err := totp.GenerateCode(admin.TOTPSecret, time.Now())
	if err != nil {
		return "", err
	}
	if err := s.submit(tab, "#code", "#recovery-codes", chromedp.SendKeys(chromedp.CSS("#code"), code)); err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	if err := s.submit(tab, "", "#password", chromedp.Click(chromedp.CSS("a.button"))); err != nil {
		return "", err
	}
	own := chromedp.SendKeys(chromedp.CSS("#password"), "ein eigenes langes Passwort für die Bilder")
	if err := s.submit(tab, "#password", "nav.dash", own); err != nil {
		return "", fmt.Errorf("own password: %w", err)
	}
	if err := s.waitForDevices(tab, devices); err != nil {
		return "", err
	}
	pages := []struct{ name, path, ready string }{
		{"overview", "/ui/", "#counts"},
		{"devices", "/ui/devices", "#devices"},
		{"audit", "/ui/audit", "#events"},
		{"processing", "/ui/data-protection/processing", ".document"},
	}
	for _, p := range pages {
		if err := s.open(tab, p.path, p.ready); err != nil {
			return "", err
		}
		if err := s.save(tab, p.name); err != nil {
			return "", err
		}
	}
	for _, p := range []struct{ name, list, link, ready string }{
		{"device", "/ui/devices", "#devices tbody a", "#work-apps"},
		{"policy", "/ui/policies", `main a[href^="/ui/policies/"]`, "form"},
	} {
		if err := s.open(tab, p.list, p.link); err != nil {
			return "", err
		}
		if err := s.submit(tab, "", p.ready, chromedp.Click(chromedp.CSS(p.link))); err != nil {
			return "", err
		}
		if err := s.save(tab, p.name); err != nil {
			return "", err
		}
	}
	return s.letter(tab)
}

// waitForDevices reloads the device list until the demo's phones are all there.
func (s shooter) waitForDevices(tab context.Context, want int) error {
	for {
		if err := s.open(tab, "/ui/devices?state=active", "h1"); err != nil {
			return err
		}
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#devices tbody tr").length`))
		if err != nil {
			return err
		}
		if n >= want {
			return nil
		}
		select {
		case <-tab.Done():
			return fmt.Errorf("%d of %d demo phones active: %w", n, want, tab.Err())
		case <-time.After(3 * time.Second):
		}
	}
}

// letter invites an employee and saves the printable letter; it returns the code.
func (s shooter) letter(tab context.Context) (string, error) {
	if err := s.open(tab, "/ui/invitations", "#email"); err != nil {
		return "", err
	}
	fill := []chromedp.Action[chromedp.Void]{
		chromedp.SendKeys(chromedp.CSS("#email"), "erika.mustermann@musterstadt.example"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Erika Mustermann"),
	}
	if err := s.submit(tab, "#email", ".letter", fill...); err != nil {
		return "", fmt.Errorf("invite: %w", err)
	}
	if err := s.save(tab, "letter"); err != nil {
		return "", err
	}
	link, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(".letter .code")))
	if err != nil {
		return "", err
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("the letter's link %q: %w", link, err)
	}
	return u.Path, nil
}

// portal saves, on a phone, the employee's first page of the invitation and, once the
// notice is confirmed, the steps of the set-up.
func (s shooter) portal(tab context.Context, path string) error {
	if err := s.open(tab, path+"?lang=de", "#acknowledge"); err != nil {
		return err
	}
	if err := s.save(tab, "portal"); err != nil {
		return err
	}
	confirm := chromedp.Click(chromedp.CSS("#acknowledge"))
	if err := s.submit(tab, "#acknowledge", "ol.progress", confirm); err != nil {
		text, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("main")))
		return fmt.Errorf("confirm the notice: %w; the page says: %.300s", err, text)
	}
	return s.save(tab, "portal-steps")
}

// open loads the page at path and waits until ready is visible.
func (s shooter) open(tab context.Context, path, ready string) error {
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(s.base+path), chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	return nil
}

// submit runs the steps, then submits the form of the field (or, without one, takes the
// steps as the navigation) and waits until ready is visible on the next page.
func (s shooter) submit(tab context.Context, field, ready string, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	if field != "" {
		if err := chromedp.Do(ctx, steps...); err != nil {
			return err
		}
		steps = []chromedp.Action[chromedp.Void]{chromedp.Submit(chromedp.CSS(field))}
	}
	if _, err := chromedp.RunResponse(ctx, steps...); err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(ready)))
}

// save writes what the tab shows as NAME.png, after checking the page with axe-core at
// the tab's size: a picture of a page with an accessibility violation is refused.
func (s shooter) save(tab context.Context, name string) error {
	vs, err := browsertest.Violations(tab)
	if err != nil {
		return err
	}
	if len(vs) > 0 {
		return fmt.Errorf("accessibility of %s: %v", name, vs)
	}
	png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", name, err)
	}
	path := filepath.Join(s.out, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s (%d KB)\n", path, len(png)/1024)
	return nil
}
