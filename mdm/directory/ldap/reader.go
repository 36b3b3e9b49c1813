// Package ldap reads a tenant's directory over LDAP (Active Directory, OpenLDAP and
// others) for the directory sub-domain: it binds as the tenant's service account over TLS
// (ldaps:// or StartTLS; plain ldap:// only to the local host), searches the base DN
// with the tenant's filter in pages, and turns each entry's attributes into a
// directory.Entry. Disabled people are the entries the tenant's disabled filter also
// selects: Active Directory's userAccountControl bit 2 by default, or any filter
// OpenLDAP understands (a locked password, an attribute of the tenant's own schema).
package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/trennwand/trennwand/mdm/directory"
)

// Reader reads directories; the zero value is not usable, use New.
type Reader struct {
	pageSize uint32
	timeout  time.Duration
	roots    *x509.CertPool
}

// Option changes how a Reader reads.
type Option func(*Reader)

// WithPageSize sets how many entries one page of a search holds (default 500).
func WithPageSize(n uint32) Option { return func(r *Reader) { r.pageSize = n } }

// WithRootCAs sets the certificates a directory's TLS certificate must chain to; by
// default the system's.
func WithRootCAs(p *x509.CertPool) Option { return func(r *Reader) { r.roots = p } }

// New returns a Reader.
func New(opts ...Option) *Reader {
	r := &Reader{pageSize: 500, timeout: 30 * time.Second}
	for _, o := range opts {
		o(r)
	}
	return r
}

var _ directory.Source = (*Reader)(nil)

// attrName is an attribute's name or OID as LDAP writes it.
var attrName = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9-]{0,63}|[0-9]+(?:\.[0-9]+)+)$`)

// Check refuses settings that cannot work, naming the setting: an address that is not
// ldap:// or ldaps://, a password that would travel in the clear, a DN or filter that
// does not parse, an attribute name that is none.
func (r *Reader) Check(c directory.Config) error {
	u, err := url.Parse(c.LDAPURL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("the LDAP address %q must be ldaps://HOST[:PORT] or ldap://HOST[:PORT]", c.LDAPURL)
	}
	if u.Scheme == "ldaps" && c.StartTLS {
		return errors.New("StartTLS is for ldap:// addresses; ldaps:// is TLS already")
	}
	if u.Scheme == "ldap" && !c.StartTLS && !loopback(u.Hostname()) {
		return errors.New("an ldap:// address without StartTLS would send the bind password in the clear: use ldaps:// or StartTLS")
	}
	for name, dn := range map[string]string{"bind DN": c.BindDN, "base DN": c.BaseDN} {
		if _, err := ldapv3.ParseDN(dn); err != nil || strings.TrimSpace(dn) == "" {
			return fmt.Errorf("the %s %q is not a distinguished name", name, dn)
		}
	}
	for name, f := range map[string]string{"filter": c.UserFilter, "disabled filter": c.DisabledFilter} {
		if f == "" && name == "disabled filter" {
			continue
		}
		if _, err := ldapv3.CompileFilter(f); err != nil {
			return fmt.Errorf("the %s %q is not an LDAP filter: %v", name, f, err)
		}
	}
	for name, a := range map[string]string{"ID attribute": c.IDAttr, "e-mail attribute": c.EmailAttr, "name attribute": c.NameAttr,
		"group attribute": c.GroupAttr, "managed Apple account attribute": c.AppleIDAttr} {
		if (a != "" || name != "managed Apple account attribute") && !attrName.MatchString(a) {
			return fmt.Errorf("the %s %q is not an attribute name", name, a)
		}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Read binds and returns every person the settings select, reading page by page.
func (r *Reader) Read(ctx context.Context, c directory.Config, password string) ([]directory.Entry, error) {
	if err := r.Check(c); err != nil {
		return nil, err
	}
	conn, err := r.dial(c)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.Bind(c.BindDN, password); err != nil {
		return nil, fmt.Errorf("bind as %s: %w", c.BindDN, err)
	}
	users, err := r.search(conn, c, c.UserFilter, attributes(c))
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", c.BaseDN, err)
	}
	disabled := map[string]bool{}
	if c.DisabledFilter != "" {
		ds, err := r.search(conn, c, "(&"+c.UserFilter+c.DisabledFilter+")", []string{c.IDAttr})
		if err != nil {
			return nil, fmt.Errorf("search the disabled people in %s: %w", c.BaseDN, err)
		}
		for _, e := range ds {
			disabled[idOf(e.GetRawAttributeValue(c.IDAttr))] = true
		}
	}
	out := make([]directory.Entry, 0, len(users))
	for _, e := range users {
		out = append(out, EntryOf(c, values(e), disabled))
	}
	return out, ctx.Err()
}

// dial connects over TLS, or upgrades with StartTLS, or (to the local host only) not.
func (r *Reader) dial(c directory.Config) (*ldapv3.Conn, error) {
	u, _ := url.Parse(c.LDAPURL)
	roots, err := c.Roots()
	if err != nil {
		return nil, err
	}
	if roots == nil {
		roots = r.roots
	}
	tc := &tls.Config{ServerName: u.Hostname(), RootCAs: roots, MinVersion: tls.VersionTLS12}
	conn, err := ldapv3.DialURL(c.LDAPURL, ldapv3.DialWithDialer(&net.Dialer{Timeout: r.timeout}), ldapv3.DialWithTLSConfig(tc))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w%s", c.LDAPURL, err, untrustedHint(err))
	}
	conn.SetTimeout(r.timeout)
	if c.StartTLS {
		if err := conn.StartTLS(tc); err != nil {
			conn.Close()
			return nil, fmt.Errorf("StartTLS with %s: %w%s", c.LDAPURL, err, untrustedHint(err))
		}
	}
	return conn, nil
}

// untrustedHint says what to do when the directory's certificate comes from a CA that is
// not trusted here, which is what a town's own CA usually is. go-ldap's StartTLS keeps
// only the text of the handshake's error, so the text is asked too.
func untrustedHint(err error) string {
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) || strings.Contains(err.Error(), (x509.UnknownAuthorityError{}).Error()) {
		return " (the directory's certificate is from a CA not trusted here: give that CA's certificate, directory set --ca-file)"
	}
	return ""
}

func (r *Reader) search(conn *ldapv3.Conn, c directory.Config, filter string, attrs []string) ([]*ldapv3.Entry, error) {
	req := ldapv3.NewSearchRequest(c.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false, filter, attrs, nil)
	res, err := conn.SearchWithPaging(req, r.pageSize)
	if err != nil {
		return nil, err
	}
	return res.Entries, nil
}

// userNameAttrs are where Active Directory and OpenLDAP keep the sign-in name.
var userNameAttrs = []string{"sAMAccountName", "uid"}

func attributes(c directory.Config) []string {
	as := append([]string{c.IDAttr, c.EmailAttr, c.NameAttr, c.GroupAttr}, userNameAttrs...)
	if c.AppleIDAttr != "" {
		as = append(as, c.AppleIDAttr)
	}
	return as
}

// values returns an entry's attributes by their name in lower case, as raw values.
func values(e *ldapv3.Entry) map[string][][]byte {
	m := make(map[string][][]byte, len(e.Attributes))
	for _, a := range e.Attributes {
		m[strings.ToLower(a.Name)] = a.ByteValues
	}
	return m
}

// EntryOf turns one directory entry's raw attribute values into what the directory
// sub-domain compares: the ID as text (binary IDs such as objectGUID in hexadecimal),
// the first value of the e-mail, name, managed account and sign-in name, and every group.
// Values that are not text are left out; NormalizeEntry then refuses what is unusable.
func EntryOf(c directory.Config, attrs map[string][][]byte, disabled map[string]bool) directory.Entry {
	get := func(name string) string {
		if name == "" {
			return ""
		}
		for _, v := range attrs[strings.ToLower(name)] {
			if utf8.Valid(v) {
				return string(v)
			}
		}
		return ""
	}
	var id string
	if vs := attrs[strings.ToLower(c.IDAttr)]; len(vs) > 0 {
		id = idOf(vs[0])
	}
	e := directory.Entry{ExternalID: id, Email: get(c.EmailAttr), Name: get(c.NameAttr), ManagedAppleID: get(c.AppleIDAttr),
		Enabled: id != "" && !disabled[id]}
	for _, a := range userNameAttrs {
		if e.UserName = get(a); e.UserName != "" {
			break
		}
	}
	for _, g := range attrs[strings.ToLower(c.GroupAttr)] {
		if utf8.Valid(g) && len(g) > 0 {
			e.Groups = append(e.Groups, string(g))
		}
	}
	return e
}

// idOf is an ID value as text: itself when it is printable text, else its hexadecimal.
func idOf(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if utf8.Valid(v) {
		printable := true
		for _, r := range string(v) {
			if r < 0x20 || r == 0x7f {
				printable = false
				break
			}
		}
		if printable {
			return string(v)
		}
	}
	return hex.EncodeToString(v)
}
