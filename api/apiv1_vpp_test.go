package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/mdm/store/storetest"
)

// fakeLicensing keeps content tokens per tenant in memory: the API's side of the Apps and
// Books licensing, without Apple. A token names its organisation; "expired" is refused.
type fakeLicensing struct {
	mu     sync.Mutex
	tokens map[string]mdm.LicenceToken
	syncs  map[string]int
}

func newFakeLicensing() *fakeLicensing {
	return &fakeLicensing{tokens: map[string]mdm.LicenceToken{}, syncs: map[string]int{}}
}

func (f *fakeLicensing) LicenceToken(_ context.Context, tenantID string) (mdm.LicenceToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok, ok := f.tokens[tenantID]
	if !ok {
		// Every tenant of the test world starts with a token, so that reading works.
		return mdm.LicenceToken{Organisation: "preset", ExpiresAt: time.Now().AddDate(1, 0, 0)}, nil
	}
	return tok, nil
}

func (f *fakeLicensing) SetLicenceToken(_ context.Context, _, tenantID string, file []byte) (mdm.LicenceToken, error) {
	if string(file) == "expired" {
		return mdm.LicenceToken{}, fmt.Errorf("%w: the token expired", mdm.ErrInvalid)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := mdm.LicenceToken{Organisation: string(file), ExpiresAt: time.Now().AddDate(1, 0, 0), UpdatedAt: time.Now()}
	f.tokens[tenantID] = tok
	return tok, nil
}

func (f *fakeLicensing) LicensedApps(_ context.Context, tenantID string) ([]mdm.LicensedApp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tokens[tenantID]; !ok {
		return nil, nil
	}
	return []mdm.LicensedApp{{AdamID: "1001", BundleID: "de.musterstadt.mail", Name: "Mail", Total: 5, Available: 4, Associated: 1}}, nil
}

func (f *fakeLicensing) SyncLicensedApps(_ context.Context, _, tenantID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.syncs[tenantID]++
	return nil
}

func TestAnAdminUploadsTheAppsAndBooksTokenAndBadTokensAreRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := newAPIWorld(t, s)
		admin := w.tokens[mdm.RoleAdmin]
		if code, body := w.call(http.MethodPut, "/api/v1/apple/vpp-token", admin, `{"token":"Stadt Musterstadt"}`); code != http.StatusOK ||
			!strings.Contains(body, `"organisation":"Stadt Musterstadt"`) {
			t.Fatalf("upload: %d %s", code, body)
		}
		if code, body := w.call(http.MethodGet, "/api/v1/apple/vpp-assets", admin, ""); code != http.StatusOK || !strings.Contains(body, `"bundle_id":"de.musterstadt.mail"`) {
			t.Fatalf("catalogue: %d %s", code, body)
		}
		for name, body := range map[string]string{
			"expired token":   `{"token":"expired"}`,
			"no token":        `{}`,
			"unknown field":   `{"token":"x","org":"y"}`,
			"not json at all": `token`,
		} {
			if code, answer := w.call(http.MethodPut, "/api/v1/apple/vpp-token", admin, body); code != http.StatusBadRequest {
				t.Errorf("%s: %d %s, want 400", name, code, answer)
			}
		}
	})
}
