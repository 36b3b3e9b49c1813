package vpp

import (
	"testing"
	"time"
)

// FuzzParseToken feeds the content-token parser arbitrary files: it never panics, and
// what it accepts carries the file as its credential.
func FuzzParseToken(f *testing.F) {
	f.Add(EncodeToken("secret", "Stadt Musterstadt", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)))
	f.Add([]byte("eyJ0b2tlbiI6ImEiLCJleHBEYXRlIjoiMjAyNy0wMS0wMVQwMDowMDowMFoifQ=="))
	f.Add([]byte("not a token"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, file []byte) {
		tok, err := ParseToken(file)
		if err != nil {
			return
		}
		if tok.SToken == "" {
			t.Fatalf("accepted token %+v", tok)
		}
	})
}

// FuzzDecodeAnswer feeds the answer decoder arbitrary statuses, Retry-After headers and
// bodies: it never panics, and a rate limit's pause stays within an hour.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add(200, "", []byte(`{"assets":[{"adamId":"1","totalCount":5}],"nextPageIndex":1}`))
	f.Add(200, "", []byte(`{"eventStatus":"FAILED","failures":[{"clientUserId":"e","errorNumber":9610}]}`))
	f.Add(429, "30", []byte(`{"errorMessage":"Too many requests"}`))
	f.Add(429, "Fri, 27 Nov 2026 12:00:00 GMT", []byte(``))
	f.Add(401, "", []byte(`{"errorNumber":9625,"errorMessage":"revoked"}`))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		var page AssetPage
		var ev Event
		for _, out := range []any{&page, &ev} {
			err := decodeAnswer(status, retryAfter, body, out)
			if e, ok := AsAPIError(err); ok && (e.RetryAfter < 0 || e.RetryAfter > time.Hour) {
				t.Fatalf("pause %v out of bounds", e.RetryAfter)
			}
		}
	})
}
