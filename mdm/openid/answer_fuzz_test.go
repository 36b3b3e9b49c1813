package openid_test

import (
	"net/url"
	"testing"

	"github.com/trennwand/trennwand/mdm/openid"
)

// FuzzAnswerOf feeds arbitrary callback queries to the reader of the provider's answer:
// it never panics, takes each field only from its own parameter, and drops a field
// longer than a provider sends, so that the answer is refused as incomplete.
func FuzzAnswerOf(f *testing.F) {
	f.Add("code=abc&state=def")
	f.Add("error=access_denied&state=def")
	f.Add("state=a&state=b&code=")
	f.Add("code=%ZZ&state=%00")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a := openid.AnswerOf(q)
		for name, got := range map[string]string{"state": a.State, "code": a.Code, "error": a.Error} {
			if len(got) > 4<<10 {
				t.Errorf("%s of %d bytes taken", name, len(got))
			}
			if got != "" && got != q.Get(name) {
				t.Errorf("%s is %q, the query says %q", name, got, q.Get(name))
			}
		}
	})
}
