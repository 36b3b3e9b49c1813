package vpp

import (
	"errors"
	"testing"
	"time"
)

func TestATokenFileNamesItsOrganisationAndExpiry(t *testing.T) {
	expires := time.Date(2027, 11, 27, 10, 0, 0, 0, time.UTC)
	file := EncodeToken("s3cret", "Stadt Musterstadt", expires)
	tok, err := ParseToken(append(file, '\n'))
	if err != nil {
		t.Fatal(err)
	}
	if tok.Organisation != "Stadt Musterstadt" || !tok.ExpiresAt.Equal(expires) || tok.SToken != string(file) {
		t.Fatalf("token %+v; want the organisation, the expiry and the file as credential", tok)
	}
	if tok.Expired(expires.Add(-time.Second)) || !tok.Expired(expires) {
		t.Fatal("a token expires at its expDate")
	}
}

func TestAFileThatIsNoTokenIsRefused(t *testing.T) {
	for name, file := range map[string]string{
		"empty":       "",
		"not base64":  "%%%",
		"not json":    "bm90IGpzb24=",
		"no token":    "eyJleHBEYXRlIjoiMjAyNy0wMS0wMVQwMDowMDowMCswMDAwIn0=",
		"bad expDate": "eyJ0b2tlbiI6ImEiLCJleHBEYXRlIjoic29vbiJ9",
	} {
		if _, err := ParseToken([]byte(file)); !errors.Is(err, ErrMalformedToken) {
			t.Errorf("%s: %v, want ErrMalformedToken", name, err)
		}
	}
}

func TestAnAnswerOfApplesIsAnErrorWithItsNumberOrTheDecodedBody(t *testing.T) {
	var page AssetPage
	if err := decodeAnswer(200, "", []byte(`{"assets":[{"adamId":"1","availableCount":3}],"totalPages":1}`), &page); err != nil || page.Assets[0].AvailableCount != 3 {
		t.Fatalf("page %+v, %v", page, err)
	}
	err := decodeAnswer(429, "7", []byte(`{"errorMessage":"slow down"}`), &page)
	if e, ok := AsAPIError(err); !ok || !e.RateLimited() || e.RetryAfter != 7*time.Second || !e.Temporary() {
		t.Fatalf("rate limit answer: %v", err)
	}
	err = decodeAnswer(200, "", []byte(`{"errorNumber":9621,"errorMessage":"expired"}`), &page)
	if e, ok := AsAPIError(err); !ok || !e.TokenUnusable() || e.Temporary() {
		t.Fatalf("an error number with status 200 is an error: %v", err)
	}
}
