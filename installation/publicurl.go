package installation

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/trennwand/trennwand/mdm"
)

// publicURLSetting names the installation setting that holds the URL phones reach.
const publicURLSetting = "public-url"

// settlePublicURL decides which public URL the installation uses and puts it into its Config.
// The URL goes into QR codes, enrolment profiles and work-profile configurations, where
// phones keep it, so it must not follow whichever host a command happens to run on:
// `serve` stores the operator's --public-url (or, on the first start, its default), and
// every later command without --public-url uses the stored one. A command line given
// --public-url uses it for that command only; only `serve` changes what is stored.
func (in *Installation) settlePublicURL(ctx context.Context, serve bool) error {
	stored, err := in.Store.Tenants().InstallationSetting(ctx, publicURLSetting)
	if err != nil && !errors.Is(err, mdm.ErrNotFound) {
		return fmt.Errorf("read the stored public URL: %w", err)
	}
	found := err == nil
	if found && !in.Config.PublicURLSet {
		u, err := url.Parse(string(stored))
		if err != nil {
			return fmt.Errorf("the stored public URL %q: %w", stored, err)
		}
		in.Config.PublicURL = u
		return nil
	}
	current := in.Config.PublicURL.String()
	if !serve || (found && string(stored) == current) {
		if !found && !serve {
			in.Log.Warn("this installation has no stored public URL yet; start `trennwand serve` once, or give --public-url", "public_url", current)
		}
		return nil
	}
	if found {
		in.Log.Warn("public URL changed: phones enrolled before keep the old one in their profiles until they are sent new ones",
			"from", string(stored), "to", current)
	}
	if err := in.Store.Tenants().SetInstallationSetting(ctx, publicURLSetting, []byte(current)); err != nil {
		return fmt.Errorf("store the public URL: %w", err)
	}
	return nil
}
