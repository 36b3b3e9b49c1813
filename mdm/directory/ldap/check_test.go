package ldap_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trennwand/trennwand/mdm/directory"
	"github.com/trennwand/trennwand/mdm/directory/ldap"
)

// Settings that cannot work are refused before anything is read or stored, naming the
// setting; a password is never sent in the clear to another host.
func TestCheckRefusesSettingsThatCannotWork(t *testing.T) {
	good := directory.DefaultConfig("t")
	good.LDAPURL, good.BindDN, good.BaseDN = "ldaps://dc1.musterstadt.example", "cn=sync,dc=musterstadt", "dc=musterstadt"
	if err := ldap.New().Check(good); err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	cases := map[string]struct {
		change func(*directory.Config)
		says   string
	}{
		"http address":           {func(c *directory.Config) { c.LDAPURL = "https://dc1" }, "LDAP address"},
		"clear text to a server": {func(c *directory.Config) { c.LDAPURL = "ldap://dc1.musterstadt.example" }, "in the clear"},
		"StartTLS on ldaps":      {func(c *directory.Config) { c.StartTLS = true }, "StartTLS"},
		"bind DN":                {func(c *directory.Config) { c.BindDN = "sync" }, "bind DN"},
		"base DN":                {func(c *directory.Config) { c.BaseDN = "" }, "base DN"},
		"filter":                 {func(c *directory.Config) { c.UserFilter = "(objectClass=user" }, "filter"},
		"disabled filter":        {func(c *directory.Config) { c.DisabledFilter = "disabled" }, "disabled filter"},
		"group attribute":        {func(c *directory.Config) { c.GroupAttr = "member of" }, "group attribute"},
	}
	for name, tc := range cases {
		c := good
		tc.change(&c)
		if err := ldap.New().Check(c); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want a refusal naming %q", name, err, tc.says)
		}
	}
	local := good
	local.LDAPURL = "ldap://127.0.0.1:389"
	if err := ldap.New().Check(local); err != nil {
		t.Fatalf("plain LDAP to the local host refused: %v", err)
	}
}

// Whatever a directory holds in its attributes, an entry is made without panicking, and
// what NormalizeEntry accepts is usable: one e-mail address, text only, groups one line
// each.
func FuzzEntryOf(f *testing.F) {
	f.Add([]byte{0x9c, 0x57, 0x58, 0xfc}, []byte("anna@musterstadt.example"), []byte("Anna"), []byte("cn=Kita,ou=groups"), false)
	f.Add([]byte("uuid"), []byte("no address"), []byte{0xff}, []byte("a\nb"), true)
	cfg := directory.DefaultConfig("t")
	f.Fuzz(func(t *testing.T, id, mail, name, group []byte, disabled bool) {
		attrs := map[string][][]byte{"objectguid": {id}, "mail": {mail}, "displayname": {name}, "memberof": {group, group}}
		e := ldap.EntryOf(cfg, attrs, map[string]bool{string(id): disabled})
		n, err := directory.NormalizeEntry(e)
		if err != nil {
			return
		}
		if !strings.Contains(n.Email, "@") || !utf8.ValidString(n.Name) || !utf8.ValidString(n.ExternalID) {
			t.Fatalf("accepted %+v", n)
		}
		for _, g := range n.Groups {
			if g == "" || strings.ContainsAny(g, "\r\n") {
				t.Fatalf("accepted group %q", g)
			}
		}
		if len(n.Groups) > 1 {
			t.Fatalf("the same group twice was kept twice: %q", n.Groups)
		}
	})
}
