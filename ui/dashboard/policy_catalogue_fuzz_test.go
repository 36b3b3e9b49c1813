package dashboard

import (
	"errors"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// A catalogue's choice comes from the browser (the managed Google Play iframe's event, a
// button's value): whatever it says, it is a valid app of a platform or refused as
// invalid input.
func FuzzParsePick(f *testing.F) {
	for _, seed := range []string{"android:com.example.mail", "ios:com.example.mail", "android:", "windows:x.y", "android:1.x", ":", "android:a.b:c"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		platform, appID, err := ParsePick(value)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("%q refused with %v, not as invalid input", value, err)
			}
			return
		}
		a := mdm.AppAssignment{Platform: platform, AppID: appID, InstallType: mdm.InstallRequired}
		if err := a.Validate(); err != nil {
			t.Fatalf("%q accepted as %s %q, which a policy refuses: %v", value, platform, appID, err)
		}
	})
}

// What an administrator types into the look-up is a package name or refused.
func FuzzPlayPackage(f *testing.F) {
	for _, seed := range []string{"com.example.mail", " https://play.google.com/store/apps/details?id=com.example.mail&hl=de ",
		"https://evil.example/store/apps/details?id=com.x.y", "http://[::1", "mail"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		pkg, err := PlayPackage(query)
		if err != nil {
			if !errors.Is(err, mdm.ErrInvalid) {
				t.Fatalf("%q refused with %v, not as invalid input", query, err)
			}
			return
		}
		if _, _, err := ParsePick("android:" + pkg); err != nil {
			t.Fatalf("%q read as %q, which is no package name: %v", query, pkg, err)
		}
	})
}
