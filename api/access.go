package api

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/pki"
)

// Conditional access: a mail gateway or VPN that trusts the installation's CA asks, with a
// token of the role gateway, whether the certificate a client presented belongs to an
// enrolled device that complies. It asks by serial number or with the certificate in
// PEM; it learns a yes or no with a short status, never which device or employee it is,
// and a certificate of another tenant is as unknown as one never issued: 404. The gateway
// checks the certificate's chain and the CRL itself, as for any client certificate.

// CertificateLookup finds an issued certificate by its serial number: the installation's
// pki.CA.
type CertificateLookup interface {
	Certificate(ctx context.Context, serial string) (pki.CertificateInfo, error)
}

// The statuses of a conditional-access answer.
const (
	accessCompliant    = "compliant"
	accessNonCompliant = "noncompliant" // the device breaks a rule past its grace period
	accessRevoked      = "revoked"
	accessExpired      = "expired"
	accessNotEnrolled  = "not_enrolled" // the device is not (or no longer) active
)

// errUnknownCertificate answers for a certificate that is not one of the tenant's devices'.
var errUnknownCertificate = fmt.Errorf("%w: no device certificate of this tenant has this serial number", mdm.ErrNotFound)

// accessJSON is the answer: whether to let the client in, and why not.
type accessJSON struct {
	Compliant bool     `json:"compliant"`
	Status    string   `json:"status"`
	Rules     []string `json:"rules,omitempty"`
}

// maxPEMBytes bounds the certificate a gateway sends.
const maxPEMBytes = 16 << 10

func (a *apiV1) accessBySerial(c echo.Context, k call) error {
	serial, err := pki.ParseSerial(c.Param("id"))
	if err != nil {
		return fmt.Errorf("%w: %v", mdm.ErrInvalid, err)
	}
	return a.answerAccess(c, k, serial)
}

func (a *apiV1) accessByPEM(c echo.Context, k call) error {
	var body struct {
		PEM string `json:"pem"`
	}
	if err := decodeBody(c, &body); err != nil {
		return err
	}
	cert, err := parseCertificatePEM([]byte(body.PEM))
	if err != nil {
		return err
	}
	return a.answerAccess(c, k, cert.SerialNumber.String())
}

// parseCertificatePEM reads one certificate in PEM.
func parseCertificatePEM(b []byte) (*x509.Certificate, error) {
	if len(b) > maxPEMBytes {
		return nil, fmt.Errorf("%w: the certificate is longer than %d bytes", mdm.ErrInvalid, maxPEMBytes)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: pem holds no CERTIFICATE block", mdm.ErrInvalid)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: the certificate cannot be read: %v", mdm.ErrInvalid, err)
	}
	return cert, nil
}

// answerAccess answers for the certificate with the decimal serial number.
func (a *apiV1) answerAccess(c echo.Context, k call, serial string) error {
	if a.certs == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "this server has no CA")
	}
	out, err := a.access(c.Request().Context(), k.tenant, serial)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

func (a *apiV1) access(ctx context.Context, t mdm.Tenant, serial string) (accessJSON, error) {
	info, err := a.certs.Certificate(ctx, serial)
	switch {
	case errors.Is(err, pki.ErrUnknownCertificate):
		return accessJSON{}, errUnknownCertificate
	case err != nil:
		return accessJSON{}, fmt.Errorf("look up certificate %s: %w", serial, err)
	case info.TenantID != t.ID || info.Enrolment == "":
		return accessJSON{}, errUnknownCertificate
	case info.Revoked:
		return accessJSON{Status: accessRevoked}, nil
	case time.Now().After(info.NotAfter):
		return accessJSON{Status: accessExpired}, nil
	}
	acc, err := a.svc.Compliance.AccessOf(ctx, t.ID, info.Enrolment)
	switch {
	case errors.Is(err, mdm.ErrNotFound):
		return accessJSON{Status: accessNotEnrolled}, nil
	case err != nil:
		return accessJSON{}, err
	case !acc.Active:
		return accessJSON{Status: accessNotEnrolled}, nil
	case !acc.Compliant:
		rules := make([]string, len(acc.Rules))
		for i, r := range acc.Rules {
			rules[i] = string(r)
		}
		return accessJSON{Status: accessNonCompliant, Rules: rules}, nil
	}
	return accessJSON{Compliant: true, Status: accessCompliant}, nil
}
