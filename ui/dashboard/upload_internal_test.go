package dashboard

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// tokenForm is a POST of the form with the token uploaded as a file, or pasted, or neither.
func tokenForm(t *testing.T, file, pasted *string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if file != nil {
		fw, err := mw.CreateFormFile("token", "token.p7m")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(*file))
	}
	if pasted != nil {
		_ = mw.WriteField("token", *pasted)
	}
	_ = mw.WriteField("csrf", "x")
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/ui/token", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// A token file up to the limit is read whole, uploaded or pasted; one byte more is refused
// as too large, never cut to the limit; a form without one is refused as missing.
func TestATokenFileIsReadWholeOrRefused(t *testing.T) {
	missing, tooLarge := errors.New("missing"), errors.New("too large")
	f := tokenFile{limit: 16, missing: missing, tooLarge: tooLarge}
	fits, over := strings.Repeat("A", 16), strings.Repeat("A", 17)
	for _, c := range []struct {
		name         string
		file, pasted *string
		want         string
		err          error
	}{
		{name: "a file at the limit", file: &fits, want: fits},
		{name: "a file one byte over", file: &over, err: tooLarge},
		{name: "pasted at the limit", pasted: &fits, want: fits},
		{name: "pasted one byte over", pasted: &over, err: tooLarge},
		{name: "neither", err: missing},
	} {
		b, err := f.read(tokenForm(t, c.file, c.pasted))
		if !errors.Is(err, c.err) || string(b) != c.want {
			t.Errorf("%s: %q, %v; want %q, %v", c.name, b, err, c.want, c.err)
		}
	}

	// A form that is not multipart has no file; what was pasted is read.
	r := httptest.NewRequest(http.MethodPost, "/ui/token", strings.NewReader(url.Values{"token": {fits}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if b, err := f.read(r); err != nil || string(b) != fits {
		t.Errorf("a pasted token in a plain form: %q, %v", b, err)
	}
}
