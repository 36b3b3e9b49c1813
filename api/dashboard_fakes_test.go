package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// The platforms' own tests check certificates and bindings against Apple's and Google's
// rules; the dashboard's tests need only platforms that remember what they were given.
const (
	fakePushPEM = "-----BEGIN CERTIFICATE-----\nfake push certificate\n-----END CERTIFICATE-----"
	fakeKeyPEM  = "-----BEGIN PRIVATE KEY-----\nfake key\n-----END PRIVATE KEY-----"
)

type fakeApple struct {
	mu    sync.Mutex
	certs map[string]dashboard.PushCertificate
}

func newFakeApple() *fakeApple { return &fakeApple{certs: map[string]dashboard.PushCertificate{}} }

func (f *fakeApple) PushCertificate(_ context.Context, tenantID string) (dashboard.PushCertificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pc, ok := f.certs[tenantID]
	if !ok {
		return pc, mdm.ErrNotFound
	}
	return pc, nil
}

func (f *fakeApple) SetPushCertificate(_ context.Context, _, tenantID string, certPEM, keyPEM []byte) (dashboard.PushCertificate, error) {
	if string(certPEM) != fakePushPEM || string(keyPEM) != fakeKeyPEM {
		return dashboard.PushCertificate{}, fmt.Errorf("%w: not a push certificate with its key", mdm.ErrInvalid)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pc := dashboard.PushCertificate{Topic: "com.apple.mgmt.External." + tenantID, NotAfter: time.Now().Add(365 * 24 * time.Hour)}
	f.certs[tenantID] = pc
	return pc, nil
}

type fakeAndroid struct {
	mu       sync.Mutex
	bindings map[string]dashboard.AndroidBinding
}

func newFakeAndroid() *fakeAndroid {
	return &fakeAndroid{bindings: map[string]dashboard.AndroidBinding{}}
}

func (f *fakeAndroid) Binding(_ context.Context, tenantID string) (dashboard.AndroidBinding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.bindings[tenantID]
	if !ok {
		return b, mdm.ErrNotFound
	}
	return b, nil
}

func (f *fakeAndroid) DefaultTopic(t mdm.Tenant) (string, error) {
	return "projects/trennwand-test/topics/trennwand-" + t.Name, nil
}

func (f *fakeAndroid) Bind(_ context.Context, _ string, t mdm.Tenant, enterprise, topic string) (dashboard.AndroidBinding, error) {
	if !strings.HasPrefix(enterprise, "enterprises/") {
		return dashboard.AndroidBinding{}, mdm.Refuse("refusal.android.enterprise",
			fmt.Errorf("%w: enterprise %q: write enterprises/ID", mdm.ErrInvalid, enterprise), "Enterprise", enterprise)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bindings[t.ID] = dashboard.AndroidBinding{Enterprise: enterprise, Topic: topic}
	return dashboard.AndroidBinding{Enterprise: enterprise, Topic: topic, PushURL: "https://mdm.musterstadt.example/android/pubsub?token=" + mdm.NewID()}, nil
}

func (f *fakeAndroid) StartSignup(context.Context, string, mdm.Tenant) (string, error) {
	return "https://enterprise.google.com/signup/fake", nil
}

// fakeCertificateKeys plays the Android platform's certificate keys: every device of the
// tenant has asked with another key once.
type fakeCertificateKeys struct {
	store   *store.Store
	mu      sync.Mutex
	allowed map[string]string // reason by device
}

var refusedAt = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

func (f *fakeCertificateKeys) CertificateKey(ctx context.Context, tenantID, deviceID string) (dashboard.CertificateKey, error) {
	if _, err := f.store.Devices().Device(ctx, tenantID, deviceID); err != nil {
		return dashboard.CertificateKey{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	_, allowed := f.allowed[deviceID]
	return dashboard.CertificateKey{BoundAt: refusedAt.Add(-time.Hour), Refused: 1, LastRefusedAt: &refusedAt, RenewalAllowed: allowed}, nil
}

func (f *fakeCertificateKeys) AllowCertificateRenewal(ctx context.Context, _ string, t mdm.Tenant, deviceID, reason string) error {
	if _, err := f.store.Devices().Device(ctx, t.ID, deviceID); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.allowed[deviceID] = reason
	return nil
}
