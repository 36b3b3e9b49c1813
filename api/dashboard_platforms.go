package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/trennwand/trennwand/android"
	"github.com/trennwand/trennwand/ios"
	"github.com/trennwand/trennwand/ios/dep"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// DashboardApple gives the dashboard's settings the Apple platform's push certificate;
// nil when the installation has no Apple platform.
func DashboardApple(p *ios.Platform) dashboard.ApplePush {
	if p == nil {
		return nil
	}
	return applePush{p}
}

type applePush struct{ p *ios.Platform }

func (a applePush) PushCertificate(ctx context.Context, tenantID string) (dashboard.PushCertificate, error) {
	pc, err := a.p.PushCertificate(ctx, tenantID)
	return pushCertificateView(pc), err
}

func (a applePush) SetPushCertificate(ctx context.Context, actor, tenantID string, certPEM, keyPEM []byte) (dashboard.PushCertificate, error) {
	pc, err := a.p.SetPushCertificate(ctx, actor, tenantID, certPEM, keyPEM)
	return pushCertificateView(pc), err
}

func pushCertificateView(pc ios.PushCertificate) dashboard.PushCertificate {
	return dashboard.PushCertificate{Topic: pc.Topic, NotAfter: pc.NotAfter, Expiring: pc.Expiring, Expired: pc.Expired}
}

// DashboardAndroid gives the dashboard's settings the Android platform's enterprise
// binding and sign-up; nil when the installation does not reach the Android Management
// API.
func DashboardAndroid(p *android.Platform) dashboard.AndroidEnterprise {
	if p == nil {
		return nil
	}
	return androidEnterprise{p}
}

type androidEnterprise struct{ p *android.Platform }

func (a androidEnterprise) Binding(ctx context.Context, tenantID string) (dashboard.AndroidBinding, error) {
	b, err := a.p.CurrentBinding(ctx, tenantID)
	if errors.Is(err, android.ErrNotBound) {
		return dashboard.AndroidBinding{}, fmt.Errorf("no Android enterprise: %w", mdm.ErrNotFound)
	}
	return dashboard.AndroidBinding(b), err
}

func (a androidEnterprise) DefaultTopic(t mdm.Tenant) (string, error) { return a.p.DefaultTopic(t) }

func (a androidEnterprise) Bind(ctx context.Context, actor string, t mdm.Tenant, enterprise, topic string) (dashboard.AndroidBinding, error) {
	b, err := a.p.Bind(ctx, actor, t, enterprise, topic)
	return dashboard.AndroidBinding(b), err
}

func (a androidEnterprise) StartSignup(ctx context.Context, actor string, t mdm.Tenant) (string, error) {
	return a.p.StartSignup(ctx, actor, t)
}

// DashboardSchemas gives the policy editor the managed-configuration schemas of Android
// apps; nil when the installation does not reach the Android Management API.
func DashboardSchemas(p *android.Platform) dashboard.AppSchemas {
	if p == nil {
		return nil
	}
	return p
}

// DashboardPlay gives the policy editor managed Google Play to pick Android apps from;
// nil when the installation does not reach the Android Management API.
func DashboardPlay(p *android.Platform) dashboard.PlayCatalogue {
	if p == nil {
		return nil
	}
	return playCatalogue{p}
}

type playCatalogue struct{ p *android.Platform }

func (c playCatalogue) PlayApp(ctx context.Context, t mdm.Tenant, packageName string) (dashboard.PlayApp, error) {
	a, err := c.p.PlayApp(ctx, t, packageName)
	return dashboard.PlayApp(a), err
}

func (c playCatalogue) PlayIframeOrigin() string { return c.p.PlayIframeOrigin() }

func (c playCatalogue) PlayScriptOrigin() string { return c.p.PlayScriptOrigin() }

// DashboardCertificateKeys gives the device page the Android platform's binding of
// certificate requests to a key; nil when the installation does not reach the Android
// Management API.
func DashboardCertificateKeys(p *android.Platform) dashboard.CertificateKeys {
	if p == nil {
		return nil
	}
	return certificateKeys{p}
}

type certificateKeys struct{ p *android.Platform }

func (c certificateKeys) CertificateKey(ctx context.Context, tenantID, deviceID string) (dashboard.CertificateKey, error) {
	k, err := c.p.CertificateKey(ctx, tenantID, deviceID)
	return dashboard.CertificateKey(k), err
}

func (c certificateKeys) AllowCertificateRenewal(ctx context.Context, actor string, t mdm.Tenant, deviceID, reason string) error {
	return c.p.AllowCertificateRenewal(ctx, actor, t, deviceID, reason)
}

// DashboardAppleBusinessManager gives the dashboard and the API the Apple platform's
// Automated Device Enrollment; nil when the installation has none.
func DashboardAppleBusinessManager(abm *dep.Service) dashboard.AppleBusinessManager {
	if abm == nil {
		return nil
	}
	return appleBusinessManager{abm}
}

type appleBusinessManager struct{ s *dep.Service }

func (a appleBusinessManager) ServerCertificate(ctx context.Context, tenantID string) ([]byte, error) {
	return a.s.Certificate(ctx, tenantID)
}

func (a appleBusinessManager) ServerToken(ctx context.Context, tenantID string) (dashboard.ServerToken, error) {
	t, err := a.s.Token(ctx, tenantID)
	return serverTokenView(t), err
}

func (a appleBusinessManager) SetServerToken(ctx context.Context, actor, tenantID string, file []byte) (dashboard.ServerToken, error) {
	t, err := a.s.SetToken(ctx, actor, tenantID, file)
	return serverTokenView(t), err
}

func (a appleBusinessManager) SyncBoughtDevices(ctx context.Context, tenantID string) error {
	return a.s.RequestSync(ctx, tenantID)
}

func (a appleBusinessManager) BoughtDevices(ctx context.Context, tenantID string) ([]dashboard.BoughtDevice, error) {
	ds, err := a.s.Devices(ctx, tenantID)
	out := make([]dashboard.BoughtDevice, len(ds))
	for i, d := range ds {
		out[i] = dashboard.BoughtDevice{SerialNumber: d.SerialNumber, Model: d.Model, Description: d.Description, ProfileStatus: d.ProfileStatus}
	}
	return out, err
}

func serverTokenView(t dep.Token) dashboard.ServerToken {
	return dashboard.ServerToken{Uploaded: t.Uploaded, ServerName: t.ServerName, Org: t.OrgName, ExpiresAt: t.ExpiresAt,
		Expiring: t.Expiring, Expired: t.Expired, SyncedAt: t.SyncedAt, Devices: t.Devices, Problem: t.Problem, UpdatedAt: t.UpdatedAt}
}
