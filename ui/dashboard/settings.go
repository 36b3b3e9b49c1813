package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// PushCertificate is a tenant's MDM push certificate (APNs) as the settings page shows it.
type PushCertificate struct {
	Topic    string
	NotAfter time.Time
	Expiring bool // within the warning period before NotAfter
	Expired  bool
}

// ApplePush uploads and describes a tenant's MDM push certificate; the Apple platform
// does the checking, so the page and the command line keep one rule.
type ApplePush interface {
	// PushCertificate returns the tenant's certificate; mdm.ErrNotFound when it has none.
	PushCertificate(ctx context.Context, tenantID string) (PushCertificate, error)
	// SetPushCertificate makes the certificate with its key (both PEM) the tenant's;
	// mdm.ErrInvalid says why one is refused.
	SetPushCertificate(ctx context.Context, actor, tenantID string, certPEM, keyPEM []byte) (PushCertificate, error)
}

// AndroidBinding is a tenant's Android enterprise. PushURL, the Pub/Sub push endpoint
// with its secret, is known only right after binding.
type AndroidBinding struct {
	Enterprise, Topic, PushURL string
}

// AndroidEnterprise binds a tenant to an Android enterprise, an existing one or one made
// through Google's sign-up, with the Android platform's rules.
type AndroidEnterprise interface {
	// Binding returns the tenant's binding; mdm.ErrNotFound when it has none.
	Binding(ctx context.Context, tenantID string) (AndroidBinding, error)
	// DefaultTopic is the Pub/Sub topic proposed when the form names none.
	DefaultTopic(t mdm.Tenant) (string, error)
	Bind(ctx context.Context, actor string, t mdm.Tenant, enterprise, topic string) (AndroidBinding, error)
	// StartSignup returns Google's sign-up page for a new enterprise.
	StartSignup(ctx context.Context, actor string, t mdm.Tenant) (string, error)
}

// settingsView is the settings page: what the tenant has set, and what each form needs.
type settingsView struct {
	Tenant         mdm.Tenant
	DataProtection dataprotection.DataProtection
	AppleOn        bool             // the installation has the Apple platform
	Push           *PushCertificate // nil until one is uploaded
	AndroidOn      bool             // the installation reaches the Android Management API
	Android        *AndroidBinding  // nil until the tenant is bound
	Bound          *AndroidBinding  // right after binding, with the push URL shown once
}

// settingsRoutes are the tenant settings: the overview page and one form per setting.
func (d *Dashboard) settingsRoutes() []Route {
	post := http.MethodPost
	return []Route{
		{http.MethodGet, Prefix + "/settings", mdm.PermSettingsManage, d.settings},
		{post, Prefix + "/settings/contacts", mdm.PermSettingsManage, d.saveContacts},
		{post, Prefix + "/settings/lost-mode", mdm.PermSettingsManage, d.saveLostModeText},
		{post, Prefix + "/settings/dataprotection", mdm.PermSettingsManage, d.saveDataProtection},
		{post, Prefix + "/settings/apple", mdm.PermSettingsManage, d.uploadPushCertificate},
		{post, Prefix + "/settings/android/bind", mdm.PermSettingsManage, d.bindAndroid},
		{post, Prefix + "/settings/android/signup", mdm.PermSettingsManage, d.signUpAndroid},
	}
}

// settings shows the tenant's settings.
func (d *Dashboard) settings(w http.ResponseWriter, r *http.Request) {
	d.showSettings(w, r, page{Flash: flash(r)}, nil)
}

// showSettings renders the settings page with the page's message and, right after a
// binding, its push URL.
func (d *Dashboard) showSettings(w http.ResponseWriter, r *http.Request, p page, bound *AndroidBinding) {
	v, err := d.settingsOf(r.Context(), viewerOf(r).Tenant)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	v.Bound = bound
	p.Data = v
	d.show(w, r, "settings.html", "settings.title", p)
}

func (d *Dashboard) settingsOf(ctx context.Context, t mdm.Tenant) (settingsView, error) {
	v := settingsView{Tenant: t, AppleOn: d.cfg.Apple != nil, AndroidOn: d.cfg.Android != nil}
	var err error
	if v.DataProtection, err = d.svc.DataProtection.TenantDataProtection(ctx, t); err != nil {
		return v, err
	}
	if d.cfg.Apple != nil {
		pc, err := d.cfg.Apple.PushCertificate(ctx, t.ID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return v, fmt.Errorf("push certificate: %w", err)
		}
		if err == nil {
			v.Push = &pc
		}
	}
	if d.cfg.Android != nil {
		b, err := d.cfg.Android.Binding(ctx, t.ID)
		if err != nil && !errors.Is(err, mdm.ErrNotFound) {
			return v, fmt.Errorf("the binding of the Android enterprise: %w", err)
		}
		if err == nil {
			v.Android = &b
		}
	}
	return v, nil
}

// refusedOn shows a page again with the reason a form was refused, for the caller's
// mistakes; anything else fails the request.
func (d *Dashboard) refusedOn(w http.ResponseWriter, r *http.Request, err error, show func(http.ResponseWriter, *http.Request, page)) {
	if errors.Is(err, mdm.ErrInvalid) || errors.Is(err, mdm.ErrConflict) {
		m := said(err)
		show(w, r, page{Error: m.ID, ErrorArgs: m.Args})
		return
	}
	d.fail(w, r, err)
}

// refused shows the settings page again with the reason a form was refused.
func (d *Dashboard) refused(w http.ResponseWriter, r *http.Request, err error) {
	d.refusedOn(w, r, err, func(w http.ResponseWriter, r *http.Request, p page) { d.showSettings(w, r, p, nil) })
}

// saveContacts sets the employer's name, who runs the service and the data-protection
// contact, as
// `trennwand tenant contacts` does.
func (d *Dashboard) saveContacts(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if _, err := d.svc.Enrolment.SetTenantContacts(r.Context(), v.Principal.Actor, v.Tenant, enrolment.Contacts{
		Employer: r.PostFormValue("employer"), Operator: r.PostFormValue("operator"), PrivacyContact: r.PostFormValue("privacy_contact")}); err != nil {
		d.refused(w, r, err)
		return
	}
	back(w, r, Prefix+"/settings", "saved")
}

// saveLostModeText sets what the tenant's company-owned phones show in lost mode.
func (d *Dashboard) saveLostModeText(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	if _, err := d.svc.SetLostModeText(r.Context(), v.Principal.Actor, v.Tenant, mdm.LostModeText{Message: r.PostFormValue("lost_message"),
		PhoneNumber: r.PostFormValue("lost_phone_number"), Footnote: r.PostFormValue("lost_footnote")}); err != nil {
		d.refused(w, r, err)
		return
	}
	back(w, r, Prefix+"/settings", "saved")
}

// saveDataProtection sets retention, the inactivity rule and the record of processing,
// as `trennwand dataprotection set` does.
func (d *Dashboard) saveDataProtection(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r)
	dp, err := dataProtectionFromForm(r)
	if err == nil && dataprotection.CheckLegalBasis(dp.LegalBasis, dp.EmploymentLaw, dp.LandLaw) != nil {
		d.showSettings(w, r, page{Error: "settings.legal_basis_refused"}, nil)
		return
	}
	if err == nil {
		_, err = d.svc.DataProtection.SetDataProtection(r.Context(), v.Principal.Actor, v.Tenant, dp)
	}
	if err != nil {
		d.refused(w, r, err)
		return
	}
	back(w, r, Prefix+"/settings", "saved")
}

// dataProtectionFromForm reads the data-protection form; every number must be one.
func dataProtectionFromForm(r *http.Request) (dataprotection.DataProtection, error) {
	dp := dataprotection.DataProtection{InactivityAction: dataprotection.InactivityAction(r.PostFormValue("inactivity_action")),
		ITContactEmail: strings.TrimSpace(r.PostFormValue("it_email")),
		Purposes:       r.PostFormValue("purposes"), Measures: r.PostFormValue("measures"),
		LegalBasis:    dataprotection.LegalBasis(r.PostFormValue("legal_basis")),
		EmploymentLaw: dataprotection.EmploymentLaw(r.PostFormValue("employment_law")), LandLaw: r.PostFormValue("land_law")}
	fields := []struct {
		name string
		dst  *int
	}{
		{"device_retention_days", &dp.DeviceRetentionDays}, {"audit_retention_years", &dp.AuditRetentionYears},
		{"inactivity_days", &dp.InactivityDays}, {"inactivity_grace_days", &dp.InactivityGraceDays},
	}
	for _, f := range fields {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			return dp, mdm.Refuse("refusal.whole_number", fmt.Errorf("%w: %s must be a whole number", mdm.ErrInvalid, f.name))
		}
		*f.dst = n
	}
	return dp, nil
}
