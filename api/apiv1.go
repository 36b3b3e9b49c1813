package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/ui/dashboard"
)

// APIPrefix is where the JSON API is mounted.
const APIPrefix = "/api/v1"

// APIConfig says what the JSON API needs.
type APIConfig struct {
	Service *domain.Services
	// PublicURL is what phones and browsers reach; invitation links are made from it.
	PublicURL *url.URL
	Log       *slog.Logger
	// Licensing is the Apple Apps and Books licensing of work apps; without it its routes
	// answer 503.
	Licensing mdm.AppLicensing
	// AppleBusinessManager is Automated Device Enrollment through Apple Business
	// Manager, the same the dashboard uses; without it its routes answer 503.
	AppleBusinessManager dashboard.AppleBusinessManager
	// Certificates finds device certificates for conditional access; nil answers 503.
	Certificates CertificateLookup
	// Apple, Android and CertificateKeys are the platforms' tenant settings, the same the
	// dashboard uses; nil when the installation lacks the platform, and its routes answer
	// 503.
	Apple           dashboard.ApplePush
	Android         dashboard.AndroidEnterprise
	CertificateKeys dashboard.CertificateKeys
	// AuditSigner signs the manifests of signed audit exports, as for the dashboard's; nil
	// answers a signed export with 503.
	AuditSigner func(ctx context.Context) (export.Signer, error)
	// Play is managed Google Play for picking Android apps; nil answers its routes with 503.
	Play PlayCatalogue
	// Drivers are the platforms' drivers, which make the code an invited company-owned
	// phone is set up with; without one a device has no such code.
	Drivers map[mdm.Platform]mdm.Driver
}

// apiV1 serves the JSON API.
type apiV1 struct {
	svc       *domain.Services
	publicURL *url.URL
	log       *slog.Logger
	spec      *apiSpec
	lic       mdm.AppLicensing
	abm       dashboard.AppleBusinessManager
	certs     CertificateLookup
	apple     dashboard.ApplePush
	android   dashboard.AndroidEnterprise
	keys      dashboard.CertificateKeys
	signer    func(ctx context.Context) (export.Signer, error)
	play      PlayCatalogue
	sso       ssoConnector
	drivers   map[mdm.Platform]mdm.Driver
}

// call is what a handler knows about the request beyond echo's context: who calls, in
// which tenant (zero for the provider).
type call struct {
	who    mdm.Principal
	tenant mdm.Tenant
}

// apiRoute is one route of the JSON API with the permission it needs; an empty permission
// admits every signed-in caller.
type apiRoute struct {
	method, path string // path below APIPrefix, in echo's form (/devices/:id)
	perm         mdm.Permission
	handle       func(a *apiV1, c echo.Context, k call) error
}

// apiRoutes is every route of the JSON API. The OpenAPI document describes each of them;
// MountAPI refuses to start with one that it does not.
func apiRoutes() []apiRoute {
	return []apiRoute{
		{http.MethodGet, "/me", "", (*apiV1).me},
		{http.MethodGet, "/overview", mdm.PermDevicesRead, (*apiV1).overview},
		{http.MethodGet, "/devices", mdm.PermDevicesRead, (*apiV1).listDevices},
		{http.MethodGet, "/devices/:id", mdm.PermDevicesRead, (*apiV1).getDevice},
		{http.MethodPatch, "/devices/:id", mdm.PermDevicesManage, (*apiV1).patchDevice},
		{http.MethodPost, "/devices/:id/lock", mdm.PermDevicesManage, (*apiV1).lockDevice},
		{http.MethodPost, "/devices/:id/lock-phone", mdm.PermDevicesManage, (*apiV1).lockPhone},
		{http.MethodPost, "/devices/:id/wipe", mdm.PermDevicesManage, (*apiV1).wipeDevice},
		{http.MethodGet, "/devices/:id/provisioning", mdm.PermDevicesManage, (*apiV1).provisioning},
		{http.MethodPost, "/devices/:id/reset-passcode", mdm.PermPasscodeReset, (*apiV1).resetPasscode},
		{http.MethodPost, "/devices/:id/remove-work-data", mdm.PermDevicesManage, (*apiV1).removeWorkData},
		{http.MethodPost, "/devices/:id/revoke-certificates", mdm.PermDevicesManage, (*apiV1).revokeCertificates},
		{http.MethodPut, "/devices/:id/policy", mdm.PermDevicesManage, (*apiV1).moveDevice},
		{http.MethodPost, "/devices/:id/allow-certificate-renewal", mdm.PermDevicesManage, (*apiV1).allowCertificateRenewal},
		{http.MethodGet, "/employees", mdm.PermEmployeesRead, (*apiV1).listEmployees},
		{http.MethodGet, "/employees/:id", mdm.PermEmployeesRead, (*apiV1).getEmployee},
		{http.MethodGet, "/invitations", mdm.PermInvitationsRead, (*apiV1).listInvitations},
		{http.MethodPost, "/invitations", mdm.PermInvitationsWrite, (*apiV1).createInvitation},
		{http.MethodPost, "/invitations/:id/revoke", mdm.PermInvitationsWrite, (*apiV1).revokeInvitation},
		{http.MethodPost, "/invitations/import", mdm.PermInvitationsWrite, (*apiV1).importInvitations},
		{http.MethodPost, "/invitations/resend", mdm.PermInvitationsWrite, (*apiV1).resendInvitation},
		{http.MethodPost, "/invitations/reissue-unsent", mdm.PermInvitationsWrite, (*apiV1).reissueUnsent},
		{http.MethodGet, "/policies", mdm.PermPoliciesRead, (*apiV1).listPolicies},
		{http.MethodPost, "/policies", mdm.PermPoliciesWrite, (*apiV1).createPolicy},
		{http.MethodGet, "/policies/:id", mdm.PermPoliciesRead, (*apiV1).getPolicy},
		{http.MethodPut, "/policies/:id", mdm.PermPoliciesWrite, (*apiV1).updatePolicy},
		{http.MethodGet, "/audit/events", mdm.PermAuditRead, (*apiV1).listAuditEvents},
		{http.MethodGet, "/audit/export", mdm.PermAuditExport, (*apiV1).exportAudit},
		{http.MethodGet, "/employees/:id/report", mdm.PermDataProtectionRead, (*apiV1).employeeReport},
		{http.MethodGet, "/data-protection", mdm.PermDataProtectionRead, (*apiV1).getDataProtection},
		{http.MethodPut, "/data-protection", mdm.PermDataProtectionWrite, (*apiV1).setDataProtection},
		{http.MethodGet, "/siem", mdm.PermDataProtectionRead, (*apiV1).getSIEM},
		{http.MethodPut, "/siem", mdm.PermDataProtectionWrite, (*apiV1).setSIEM},
		{http.MethodGet, "/directory", mdm.PermSettingsManage, (*apiV1).getDirectory},
		{http.MethodPut, "/directory", mdm.PermSettingsManage, (*apiV1).setDirectory},
		{http.MethodPost, "/directory/test", mdm.PermSettingsManage, (*apiV1).testDirectory},
		{http.MethodPut, "/directory/rules", mdm.PermSettingsManage, (*apiV1).setDirectoryRules},
		{http.MethodPost, "/directory/sync", mdm.PermSettingsManage, (*apiV1).syncDirectory},
		{http.MethodGet, "/data-protection/record-of-processing", mdm.PermDataProtectionRead, (*apiV1).processingRecord},
		{http.MethodGet, "/data-protection/dpia", mdm.PermDataProtectionRead, documentDraft(dataprotection.DocumentDPIA)},
		{http.MethodGet, "/data-protection/agreement", mdm.PermDataProtectionRead, documentDraft(dataprotection.DocumentAgreement)},
		{http.MethodGet, "/data-protection/bsi", mdm.PermDataProtectionRead, documentDraft(dataprotection.DocumentBSI)},
		{http.MethodGet, "/data-protection/employees", mdm.PermDataProtectionRead, (*apiV1).listEmployees},
		{http.MethodGet, "/data-protection/access-log", mdm.PermAuditRead, (*apiV1).accessLog},
		{http.MethodGet, "/tokens", mdm.PermTokensManage, (*apiV1).listTokens},
		{http.MethodPost, "/tokens", mdm.PermTokensManage, (*apiV1).createToken},
		{http.MethodPost, "/tokens/:id/revoke", mdm.PermTokensManage, (*apiV1).revokeToken},
		{http.MethodGet, "/admins", mdm.PermSettingsManage, (*apiV1).listAdmins},
		{http.MethodPost, "/admins", mdm.PermSettingsManage, (*apiV1).createAdmin},
		{http.MethodPost, "/admins/:id/disable", mdm.PermSettingsManage, (*apiV1).disableAdmin},
		{http.MethodPost, "/admins/:id/reset-second-factor", mdm.PermSettingsManage, (*apiV1).resetSecondFactor},
		{http.MethodGet, "/devices/:id/compliance", mdm.PermDevicesRead, (*apiV1).getDeviceCompliance},
		{http.MethodGet, "/policies/:id/compliance", mdm.PermPoliciesRead, (*apiV1).getPolicyRules},
		{http.MethodPut, "/policies/:id/compliance", mdm.PermPoliciesWrite, (*apiV1).setPolicyRules},
		{http.MethodPost, "/policies/:id/compliance/preview", mdm.PermPoliciesRead, (*apiV1).previewPolicyRules},
		{http.MethodGet, "/access/certificates/:id", mdm.PermAccessCheck, (*apiV1).accessBySerial},
		{http.MethodPost, "/access/certificate", mdm.PermAccessCheck, (*apiV1).accessByPEM},
		{http.MethodGet, "/tenants", mdm.PermTenantsManage, (*apiV1).listTenants},
		{http.MethodPost, "/tenants", mdm.PermTenantsManage, (*apiV1).createTenant},
	}
}

// allAPIRoutes is every route of the JSON API, those of the optional parts included.
func allAPIRoutes() []apiRoute {
	return append(append(append(append(append(apiRoutes(), vppRoutes()...), abmRoutes()...), settingsRoutes()...), playRoutes()...), ssoRoutes()...)
}

// MountAPI mounts the JSON API and its OpenAPI document under /api/v1.
func (s *Server) MountAPI(cfg APIConfig) error {
	spec, err := loadAPISpec()
	if err != nil {
		return err
	}
	a := &apiV1{svc: cfg.Service, publicURL: cfg.PublicURL, log: cfg.Log, spec: spec, lic: cfg.Licensing, abm: cfg.AppleBusinessManager, certs: cfg.Certificates,
		apple: cfg.Apple, android: cfg.Android, keys: cfg.CertificateKeys, signer: cfg.AuditSigner, play: cfg.Play, sso: s.sso,
		drivers: cfg.Drivers}
	g := s.echo.Group(APIPrefix)
	g.GET("/openapi.json", func(c echo.Context) error {
		return c.JSONBlob(http.StatusOK, spec.json)
	})
	for _, r := range allAPIRoutes() {
		op, err := spec.operation(r.method, r.path)
		if err != nil {
			return err
		}
		g.Add(r.method, r.path, a.handler(r, op))
	}
	return nil
}

// handler wraps a route's handler in the checks every route makes, in this order: who is
// calling (401), may their role do this (403), is the request what the document describes
// (400). Rows of another tenant are then not found (404), because every call is scoped to
// the caller's tenant.
func (a *apiV1) handler(r apiRoute, op *specOperation) echo.HandlerFunc {
	return func(c echo.Context) error {
		who, err := a.authenticate(c)
		if err != nil {
			return err
		}
		if r.perm != "" && !who.Can(r.perm) {
			p := newProblem(ProblemForbidden, fmt.Sprintf("the role %s may not do this", who.Role))
			p.Permission = r.perm
			return p
		}
		k := call{who: who}
		if who.TenantID != "" {
			if k.tenant, err = a.svc.TenantByID(c.Request().Context(), who.TenantID); err != nil {
				return fmt.Errorf("tenant of %s: %w", who.Actor, err)
			}
		} else if r.perm != "" && r.perm != mdm.PermTenantsManage {
			return newProblem(ProblemTenantRequired, "this route belongs to a tenant; the provider has none")
		}
		if err := a.spec.validate(c, op); err != nil {
			return err
		}
		return domainProblem(r.handle(a, c, k))
	}
}

// authenticate returns who is calling: the holder of the bearer token or the dashboard
// user of the session cookie (see sessionPrincipal).
func (a *apiV1) authenticate(c echo.Context) (mdm.Principal, error) {
	ctx := c.Request().Context()
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return mdm.Principal{}, unauthenticated(c)
		}
		who, err := a.svc.Access.AuthenticateToken(ctx, token)
		if errors.Is(err, mdm.ErrUnauthenticated) {
			return mdm.Principal{}, unauthenticated(c)
		}
		return who, err
	}
	who, err := a.sessionPrincipal(c)
	if errors.Is(err, mdm.ErrUnauthenticated) {
		return mdm.Principal{}, unauthenticated(c)
	}
	return who, err
}

// unauthenticated answers 401 and names the scheme to use.
func unauthenticated(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="trennwand"`)
	return newProblem(ProblemUnauthenticated, "sign in: send an API token as Authorization: Bearer twk_…")
}
