package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// PKI is what the server publishes of the installation's CA.
type PKI interface {
	// SCEPHandler serves SCEP under /scep/.
	SCEPHandler() http.Handler
	// CAPEM is the root and issuing certificate in PEM.
	CAPEM() []byte
	// CRL is the current certificate revocation list in DER.
	CRL() ([]byte, error)
}

// mountPKI mounts SCEP, the CA certificates and the CRL. They are public: devices and
// relying parties (mail gateways, VPNs) fetch them without signing in.
func mountPKI(e *echo.Echo, p PKI) {
	scep := echo.WrapHandler(p.SCEPHandler())
	e.GET("/scep/*", scep)
	e.POST("/scep/*", scep)
	e.GET("/pki/ca.pem", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		return c.Blob(http.StatusOK, "application/pem-certificate-chain", p.CAPEM())
	})
	e.GET("/pki/crl", func(c echo.Context) error {
		crl, err := p.CRL()
		if err != nil {
			return err
		}
		// Relying parties may cache it for a while; it is regenerated on every revocation,
		// so keep the cache short.
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
		return c.Blob(http.StatusOK, "application/pkix-crl", crl)
	})
}
