package depfake

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // OAuth 1's HMAC-SHA1, which the DEP session requires
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// verifyOAuth checks the OAuth 1 Authorization header of a /session request (RFC 5849):
// the organisation's consumer key and access token, signed with HMAC-SHA1 over the
// request's method, URL and parameters with the two secrets.
func verifyOAuth(r *http.Request, tok Tokens) error {
	scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "OAuth") {
		return errors.New("no OAuth Authorization header")
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		v, err := url.PathUnescape(strings.Trim(v, `"`))
		if err != nil {
			return errors.New("malformed Authorization header")
		}
		params[k] = v
	}
	switch {
	case params["oauth_signature_method"] != "HMAC-SHA1":
		return errors.New("oauth_signature_method must be HMAC-SHA1")
	case params["oauth_consumer_key"] != tok.ConsumerKey || params["oauth_token"] != tok.AccessToken:
		return errors.New("unknown consumer key or access token")
	}
	sig, err := base64.StdEncoding.DecodeString(params["oauth_signature"])
	if err != nil {
		return errors.New("malformed oauth_signature")
	}
	mac := hmac.New(sha1.New, []byte(encode(tok.ConsumerSecret)+"&"+encode(tok.AccessSecret)))
	mac.Write([]byte(baseString(r, params)))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return errors.New("wrong oauth_signature")
	}
	return nil
}

// baseString is the signature base string of the request with the header's parameters.
func baseString(r *http.Request, header map[string]string) string {
	var pairs []string
	add := func(k, v string) { pairs = append(pairs, encode(k)+"="+encode(v)) }
	for k, v := range header {
		if k != "oauth_signature" && k != "realm" {
			add(k, v)
		}
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			add(k, v)
		}
	}
	sort.Strings(pairs)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + strings.ToLower(r.Host) + r.URL.Path
	return r.Method + "&" + encode(base) + "&" + encode(strings.Join(pairs, "&"))
}

// encode is OAuth's percent-encoding: everything but the unreserved characters.
func encode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hexByte(c)))
	}
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
