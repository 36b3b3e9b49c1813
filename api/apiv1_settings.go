package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// settingsRoutes are the tenant's settings that the dashboard's settings page changes:
// the contacts the portal and the letters name, the text of lost mode, the Apple push
// certificate and the Android enterprise. Each takes the settings permission, as the page does, and calls the
// same service the page calls, so that both keep one rule and write one audit event.
func settingsRoutes() []apiRoute {
	get, put := http.MethodGet, http.MethodPut
	return []apiRoute{
		{get, "/contacts", mdm.PermSettingsManage, (*apiV1).getContacts},
		{put, "/contacts", mdm.PermSettingsManage, (*apiV1).setContacts},
		{get, "/lost-mode", mdm.PermSettingsManage, (*apiV1).getLostModeText},
		{put, "/lost-mode", mdm.PermSettingsManage, (*apiV1).setLostModeText},
		{get, "/apple/push-certificate", mdm.PermSettingsManage, (*apiV1).getPushCertificate},
		{put, "/apple/push-certificate", mdm.PermSettingsManage, (*apiV1).setPushCertificate},
		{get, "/android/enterprise", mdm.PermSettingsManage, (*apiV1).getAndroidEnterprise},
		{put, "/android/enterprise", mdm.PermSettingsManage, (*apiV1).bindAndroidEnterprise},
		{http.MethodPost, "/android/enterprise/signup", mdm.PermSettingsManage, (*apiV1).signUpAndroidEnterprise},
	}
}

// contactsJSON is the body of GET and PUT /contacts.
type contactsJSON struct {
	Employer       string `json:"employer"`
	Operator       string `json:"operator"`
	PrivacyContact string `json:"privacy_contact"`
}

func contactsOut(t mdm.Tenant) contactsJSON {
	return contactsJSON{Employer: t.DisplayName, Operator: t.OperatorName, PrivacyContact: t.PrivacyContact}
}

func (a *apiV1) getContacts(c echo.Context, k call) error {
	return c.JSON(http.StatusOK, contactsOut(k.tenant))
}

func (a *apiV1) setContacts(c echo.Context, k call) error {
	var in contactsJSON
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := a.svc.Enrolment.SetTenantContacts(c.Request().Context(), k.who.Actor, k.tenant, enrolment.Contacts(in))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, contactsOut(t))
}

// lostModeJSON is the body of GET and PUT /lost-mode: what the tenant's company-owned
// phones show on their lock screen in lost mode.
type lostModeJSON struct {
	Message     string `json:"message"`
	PhoneNumber string `json:"phone_number"`
	Footnote    string `json:"footnote"`
}

func (a *apiV1) getLostModeText(c echo.Context, k call) error {
	return c.JSON(http.StatusOK, lostModeJSON(k.tenant.LostMode))
}

func (a *apiV1) setLostModeText(c echo.Context, k call) error {
	var in lostModeJSON
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	t, err := a.svc.SetLostModeText(c.Request().Context(), k.who.Actor, k.tenant, mdm.LostModeText(in))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lostModeJSON(t.LostMode))
}

// platformOff answers 503 for a route of a platform the installation lacks.
func platformOff(name string) error {
	return newProblem(ProblemServiceOff, name+" is not switched on for this installation")
}

// pushCertificateJSON is the tenant's MDM push certificate as the API shows it.
type pushCertificateJSON struct {
	Topic    string    `json:"topic"`
	NotAfter time.Time `json:"not_after"`
	Expiring bool      `json:"expiring"`
	Expired  bool      `json:"expired"`
}

func (a *apiV1) getPushCertificate(c echo.Context, k call) error {
	if a.apple == nil {
		return platformOff("Apple")
	}
	pc, err := a.apple.PushCertificate(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pushCertificateJSON(pc))
}

// pushCertificateRequest is the body of PUT /apple/push-certificate: the certificate
// Apple issued and its private key, both PEM.
type pushCertificateRequest struct {
	Certificate string `json:"certificate"`
	PrivateKey  string `json:"private_key"`
}

func (a *apiV1) setPushCertificate(c echo.Context, k call) error {
	if a.apple == nil {
		return platformOff("Apple")
	}
	var in pushCertificateRequest
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	pc, err := a.apple.SetPushCertificate(c.Request().Context(), k.who.Actor, k.tenant.ID,
		[]byte(strings.TrimSpace(in.Certificate)), []byte(strings.TrimSpace(in.PrivateKey)))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pushCertificateJSON(pc))
}

// androidEnterpriseJSON is the tenant's Android enterprise. The push URL, with the secret
// of the Pub/Sub push endpoint, is given once: in the answer to the binding.
type androidEnterpriseJSON struct {
	Enterprise    string `json:"enterprise"`
	Topic         string `json:"topic"`
	PubSubPushURL string `json:"pubsub_push_url,omitempty"`
}

func (a *apiV1) getAndroidEnterprise(c echo.Context, k call) error {
	if a.android == nil {
		return platformOff("Android")
	}
	b, err := a.android.Binding(c.Request().Context(), k.tenant.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, androidEnterpriseJSON{Enterprise: b.Enterprise, Topic: b.Topic})
}

// androidBindRequest is the body of PUT /android/enterprise: an existing enterprise and
// the Pub/Sub topic for its notifications (empty: the one the server proposes).
type androidBindRequest struct {
	Enterprise string `json:"enterprise"`
	Topic      string `json:"topic"`
}

func (a *apiV1) bindAndroidEnterprise(c echo.Context, k call) error {
	if a.android == nil {
		return platformOff("Android")
	}
	var in androidBindRequest
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	topic := strings.TrimSpace(in.Topic)
	var err error
	if topic == "" {
		if topic, err = a.android.DefaultTopic(k.tenant); err != nil {
			return err
		}
	}
	b, err := a.android.Bind(c.Request().Context(), k.who.Actor, k.tenant, strings.TrimSpace(in.Enterprise), topic)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, androidEnterpriseJSON{Enterprise: b.Enterprise, Topic: b.Topic, PubSubPushURL: b.PushURL})
}

func (a *apiV1) signUpAndroidEnterprise(c echo.Context, k call) error {
	if a.android == nil {
		return platformOff("Android")
	}
	u, err := a.android.StartSignup(c.Request().Context(), k.who.Actor, k.tenant)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"signup_url": u})
}
