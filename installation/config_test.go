package installation

import "testing"

func TestMailSettingsAreCheckedAtStart(t *testing.T) {
	cases := []struct {
		url, from string
		ok        bool
	}{
		{"", "", true},
		{"smtp://mail.musterstadt.de", "mdm@musterstadt.de", true},
		{"smtps://u:p@mail.musterstadt.de", "mdm@musterstadt.de", true},
		{"smtp://mail.musterstadt.de", "", false},
		{"http://mail.musterstadt.de", "mdm@musterstadt.de", false},
	}
	for _, c := range cases {
		if err := checkMail(Config{SMTPURL: c.url, MailFrom: c.from}); (err == nil) != c.ok {
			t.Errorf("%s from %q: %v", c.url, c.from, err)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,")
	if err != nil || len(got) != 3 || got[1].String() != "192.0.2.7/32" {
		t.Errorf("%v, %v", got, err)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad network was accepted")
	}
}
