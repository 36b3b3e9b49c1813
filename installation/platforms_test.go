package installation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/ios/depfake"
)

// The Setup Assistant's sign-in believes devices of Apple's device CA unless the operator
// names another chain, which is checked at start: a missing file or one without a whole
// chain of CAs stops the start with the setting's name. The demo trusts its fake's CA.
func TestTheDeviceCAIsApplesUnlessTheOperatorNamesAnother(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "device-ca.pem"), filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(good, depfake.DeviceCAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		cfg Config
		ok  bool
	}{
		"Apple's, built in":           {Config{}, true},
		"the operator's file":         {Config{AppleDeviceCA: good}, true},
		"a file without certificates": {Config{AppleDeviceCA: bad}, false},
		"a missing file":              {Config{AppleDeviceCA: filepath.Join(dir, "none.pem")}, false},
		"the demo's fake":             {Config{DemoDeviceCA: depfake.DeviceCAPEM()}, true},
	} {
		in := &Installation{Config: c.cfg}
		anchors, err := in.deviceAnchors()
		if (err == nil) != c.ok || (err == nil) != (anchors != nil) {
			t.Errorf("%s: %v, %v", name, anchors, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--apple-device-ca") {
			t.Errorf("%s: %v does not name the setting", name, err)
		}
	}
}
