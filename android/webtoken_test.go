package android_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	amapi "google.golang.org/api/androidmanagement/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/android/amapifake"
	"github.com/trennwand/trennwand/mdm"
)

// A web token is made for the tenant's own enterprise with the console's origin as the
// parent frame and Google Play's search and private apps as the iframe's features; the
// iframe's address carries it in the mode that signals the chosen app. A tenant without
// an enterprise, or a parent that is not an https origin, is refused before Google is
// asked.
func TestPlayWebTokenIsTheTenantsOwn(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *site) {
		ctx := context.Background()
		if _, err := s.platform.PlayWebToken(ctx, s.tenant, "https://mdm.musterstadt.example"); !errors.Is(err, android.ErrNotBound) {
			t.Errorf("without an enterprise: %v, want ErrNotBound", err)
		}
		for _, parent := range []string{"http://mdm.musterstadt.example", "https://mdm.musterstadt.example/ui", "mdm.musterstadt.example", "https://", "https://a:b@mdm.example"} {
			if _, err := s.platform.PlayWebToken(ctx, s.tenant, parent); !errors.Is(err, mdm.ErrInvalid) {
				t.Errorf("parent %q: %v, want ErrInvalid", parent, err)
			}
		}
		if n := s.fake.Calls("webTokens.create"); n != 0 {
			t.Fatalf("refused requests reached Google %d times", n)
		}
		s.bind(t)
		tok, err := s.platform.PlayWebToken(ctx, s.tenant, "https://MDM.musterstadt.example:8443/")
		if err != nil {
			t.Fatal(err)
		}
		if tok.IframeOrigin != "https://play.google.com" || !strings.HasPrefix(tok.IframeURL, android.PlayIframeURL+"?") ||
			!strings.Contains(tok.IframeURL, "mode=SELECT") || !strings.Contains(tok.IframeURL, "token=WT") {
			t.Errorf("web token: %+v", tok)
		}
		if o := s.platform.PlayScriptOrigin(); o != "https://apis.google.com" {
			t.Errorf("the gapi script's origin is %q, want Google's", o)
		}
	})
}

// The fake serves its stand-in of Google's gapi script where apis.google.com serves
// the real one, with the surface the policy editor uses.
func TestTheFakeServesTheGapiScript(t *testing.T) {
	s := newSite(t, "sqlite")
	res, err := http.Get(strings.TrimSuffix(s.amapi, "/") + amapifake.PathGapiScript)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET %s: %d %s", amapifake.PathGapiScript, res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"gapi.load", "openChild", "register", "CROSS_ORIGIN_IFRAMES_FILTER"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the stand-in lacks %s", want)
		}
	}
}

// The fake answers webTokens.create as Google does: the token named below the
// enterprise, with what was asked for; an unknown enterprise is 404, a parent that is not
// https or an unknown feature 400.
func TestTheFakeCreatesWebTokensAsGoogleDoes(t *testing.T) {
	s := newSite(t, "sqlite")
	b := s.bind(t)
	svc, err := amapi.NewService(context.Background(), option.WithEndpoint(s.amapi), option.WithHTTPClient(http.DefaultClient))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.Enterprises.WebTokens.Create(b.Enterprise, &amapi.WebToken{ParentFrameUrl: "https://mdm.example", EnabledFeatures: []string{"PRIVATE_APPS", "PLAY_SEARCH"}}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Name, b.Enterprise+"/webTokens/") || tok.Value == "" || tok.ParentFrameUrl != "https://mdm.example" || len(tok.EnabledFeatures) != 2 {
		t.Errorf("token: %+v", tok)
	}
	for name, c := range map[string]struct {
		enterprise string
		token      *amapi.WebToken
		status     int
	}{
		"unknown enterprise": {"enterprises/LC000000", &amapi.WebToken{ParentFrameUrl: "https://mdm.example"}, http.StatusNotFound},
		"http parent":        {b.Enterprise, &amapi.WebToken{ParentFrameUrl: "http://mdm.example"}, http.StatusBadRequest},
		"no parent":          {b.Enterprise, &amapi.WebToken{}, http.StatusBadRequest},
		"unknown feature":    {b.Enterprise, &amapi.WebToken{ParentFrameUrl: "https://mdm.example", EnabledFeatures: []string{"FEATURE_UNSPECIFIED"}}, http.StatusBadRequest},
	} {
		_, err := svc.Enterprises.WebTokens.Create(c.enterprise, c.token).Do()
		var g *googleapi.Error
		if !errors.As(err, &g) || g.Code != c.status {
			t.Errorf("%s: %v, want %d", name, err, c.status)
		}
	}
}
