package ios

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/micromdm/nanomdm/cryptoutil"
	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/nanomdm/service"
	"github.com/micromdm/nanomdm/service/certauth"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/ios/storage"
	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/pki"
)

// maxMDMRequest bounds an MDM request body. Check-ins are a few kilobytes; the largest
// command results trennwand asks for (the managed apps) stay far below this.
const maxMDMRequest = 1 << 20

// mdmHandler serves the MDM check-in endpoint (checkin) or the command endpoint. Each
// request passes, in order:
//
//  1. the body, read up to maxMDMRequest (413 beyond);
//  2. the enrolment token (401 with the sign-in challenge when missing or wrong) — or, for
//     a device that Automated Device Enrollment set up, which has none, its certificate;
//  3. the device certificate from the Mdm-Signature header: a valid signature of the body,
//     by a device certificate of our CA that is not revoked and that names the device of
//     the token (400 otherwise, as nanomdm answers certificate problems; 403 for the
//     certificate of the work mail account, which names the device but is not its
//     identity);
//  4. the message, decoded at the edge (400 when malformed or not of the device's kind of
//     enrolment: a User Enrolment's, unless the device is company-owned);
//  5. the service chain: the domain binding, nanomdm's certauth and nanomdm itself.
//
// Every request's context is wrapped with storage.RequestContext, so that an Idle check-in
// costs the storage one statement, and with the device's contact (contactOf), which the
// storage records where it writes the enrolment's last-seen time.
func (p *Platform) mdmHandler(checkin bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, body, cert, ok := p.signedRequest(w, r)
		if !ok {
			return
		}
		req := apple.NewRequestWithContext(storage.WithVisitor(storage.RequestContext(withCaller(r.Context(), d)), p.contactOf(d)), cert)
		var out []byte
		var err error
		if checkin {
			out, err = p.checkin(req, body, kindOf(d))
		} else {
			out, err = p.report(req, body, kindOf(d))
		}
		if err != nil {
			status := statusOf(err)
			if status >= 500 {
				p.log.Error("MDM request failed", "device", d.ID, "error", err)
			} else {
				p.log.Info("MDM request refused", "device", d.ID, "status", status, "error", err)
			}
			http.Error(w, http.StatusText(status), status)
			return
		}
		if checkin && len(out) > 0 && out[0] == '{' {
			// Check-in answers are property lists, but the declarative channel's are JSON.
			w.Header().Set("Content-Type", "application/json")
		}
		_, _ = w.Write(out)
	})
}

// signedRequest reads and authenticates a phone's request as its MDM messages are: the
// body, read up to maxMDMRequest (413 beyond); the enrolment token (401 with the sign-in
// challenge when missing or wrong); the Mdm-Signature of the body by a device certificate
// that names the token's device (400 otherwise; 403 for the work mail account's
// certificate). It answers a refusal itself and then reports false.
func (p *Platform) signedRequest(w http.ResponseWriter, r *http.Request) (d mdm.Device, body []byte, cert *x509.Certificate, ok bool) {
	if body, ok = readBody(w, r, maxMDMRequest); !ok {
		return d, nil, nil, false
	}
	if d, ok = p.caller(w, r, body); !ok {
		return d, nil, nil, false
	}
	cert, err := p.deviceCertificate(r.Context(), r.Header.Get("Mdm-Signature"), body, d)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, pki.ErrNotDeviceIdentity) {
			// A certificate of the CA, but the work mail account's: the phone (or whoever
			// took it from the mail server's side) is not who the MDM identity is.
			status = http.StatusForbidden
		}
		p.log.Info("MDM request refused: device certificate", "device", d.ID, "path", r.URL.Path, "status", status, "error", err)
		http.Error(w, "device certificate: "+err.Error(), status)
		return d, nil, nil, false
	}
	return d, body, cert, true
}

// deviceCertificate returns the certificate that signed the body in the Mdm-Signature
// header, once the CA has vouched for it and it names device d.
func (p *Platform) deviceCertificate(ctx context.Context, header string, body []byte, d mdm.Device) (*x509.Certificate, error) {
	if header == "" {
		return nil, errors.New("no Mdm-Signature header")
	}
	cert, err := verifySignature(header, body)
	if err != nil {
		return nil, fmt.Errorf("Mdm-Signature: %w", err)
	}
	id, err := p.ca.VerifyDevice(ctx, cert)
	// Removing a device revokes its certificates at once, so that mail and VPN stop
	// trusting it; the phone still needs its MDM channel to receive the removal and to
	// check out. A revoked certificate is accepted for that, and for nothing else: only a
	// device that is being removed.
	if errors.Is(err, pki.ErrRevoked) && d.State == mdm.DeviceRemoving {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if id.TenantID != d.TenantID || id.EnrolmentID != d.ID {
		return nil, errors.New("the certificate belongs to another enrolment than the token")
	}
	return cert, nil
}

// verifySignature checks the detached CMS signature of the body and returns its signer.
// The pkcs7 parser panics on some malformed input, which is a bad signature like any other.
func verifySignature(header string, body []byte) (cert *x509.Certificate, err error) {
	defer func() {
		if r := recover(); r != nil {
			cert, err = nil, fmt.Errorf("malformed signature: %v", r)
		}
	}()
	return cryptoutil.VerifyMdmSignature(header, body)
}

// checkin handles a check-in message and returns the answer's body.
func (p *Platform) checkin(r *apple.Request, body []byte, kind enrolmentKind) ([]byte, error) {
	msg, err := decodeCheckin(body, kind)
	if err != nil {
		return nil, service.NewHTTPStatusError(http.StatusBadRequest, err)
	}
	p.cfg.Events.CheckIn(string(mdm.PlatformIOS), checkinType(msg))
	switch m := msg.(type) {
	case *apple.Authenticate:
		return nil, p.checkins.Authenticate(r, m)
	case *apple.TokenUpdate:
		return nil, p.checkins.TokenUpdate(r, m)
	case *apple.CheckOut:
		return nil, p.checkins.CheckOut(r, m)
	case *apple.UserAuthenticate:
		return p.checkins.UserAuthenticate(r, m)
	case *apple.SetBootstrapToken:
		return nil, p.checkins.SetBootstrapToken(r, m)
	case *apple.GetBootstrapToken:
		tok, err := p.checkins.GetBootstrapToken(r, m)
		if err != nil || tok == nil {
			return nil, err
		}
		return plist.Marshal(tok)
	case *apple.DeclarativeManagement:
		return p.checkins.DeclarativeManagement(r, m)
	case *apple.GetToken:
		if err := m.Validate(); err != nil {
			return nil, service.NewHTTPStatusError(http.StatusBadRequest, err)
		}
		resp, err := p.checkins.GetToken(r, m)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			return nil, errors.New("GetToken: no answer")
		}
		return plist.Marshal(resp)
	}
	return nil, service.NewHTTPStatusError(http.StatusBadRequest, fmt.Errorf("check-in message %T not supported", msg))
}

// report handles a command report and returns the next command, if any.
func (p *Platform) report(r *apple.Request, body []byte, kind enrolmentKind) ([]byte, error) {
	results, err := decodeReport(body, kind)
	if err != nil {
		return nil, service.NewHTTPStatusError(http.StatusBadRequest, err)
	}
	p.cfg.Events.CheckIn(string(mdm.PlatformIOS), reportType(results))
	cmd, err := p.checkins.CommandAndReportResults(r, results)
	if err != nil || cmd == nil {
		return nil, err
	}
	return cmd.Raw, nil
}

// statusOf is the HTTP status that answers an error of the service chain: the status a
// service asked for, 400 for a certificate that certauth does not accept for the
// enrolment, else 500.
func statusOf(err error) int {
	var se *service.HTTPStatusError
	switch {
	case errors.As(err, &se):
		return se.Status
	case errors.Is(err, certauth.ErrNoCertAssoc), errors.Is(err, certauth.ErrNoCertReuse), errors.Is(err, certauth.ErrMissingCert):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// readBody reads a request body of at most limit bytes. A larger one is answered 413, an
// unreadable one 400; ok is false then and the answer is written.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "cannot read the request", http.StatusBadRequest)
		}
		return nil, false
	}
	return body, true
}

// contactOf records a visit of device d as the domain's contact with it, in the storage's
// transaction (at most once a resolution, like last-seen).
func (p *Platform) contactOf(d mdm.Device) storage.Visitor {
	return func(ctx context.Context, tx *store.Tx, at time.Time) error {
		return p.svc.Compliance.RecordContact(ctx, tx, d.TenantID, d.ID, at)
	}
}

// caller returns the device a request of the MDM endpoints authenticates as: the device of
// its enrolment token, or, without a token, the device the certificate of its
// Mdm-Signature names, which must be one that Automated Device Enrollment set up (no
// account-driven sign-in gave it a token). Anything else is answered 401 with the
// sign-in challenge.
func (p *Platform) caller(w http.ResponseWriter, r *http.Request, body []byte) (mdm.Device, bool) {
	if bearerToken(r) != "" || p.bought == nil {
		return p.authenticate(w, r, p.urls.signIn)
	}
	d, err := p.automatedCaller(r.Context(), r.Header.Get("Mdm-Signature"), body)
	if err != nil {
		p.log.Info("MDM request without a token refused", "error", err)
		return p.authenticate(w, r, p.urls.signIn)
	}
	return d, true
}

// automatedCaller returns the device a request signed by a device certificate comes from,
// when that device was set up by Automated Device Enrollment.
func (p *Platform) automatedCaller(ctx context.Context, header string, body []byte) (mdm.Device, error) {
	if header == "" {
		return mdm.Device{}, errors.New("no Mdm-Signature header")
	}
	cert, err := verifySignature(header, body)
	if err != nil {
		return mdm.Device{}, err
	}
	id, err := p.ca.VerifyDevice(ctx, cert)
	if err != nil && !errors.Is(err, pki.ErrRevoked) {
		return mdm.Device{}, err
	}
	d, err := p.svc.Device(ctx, id.TenantID, id.EnrolmentID)
	if err != nil {
		return mdm.Device{}, err
	}
	h, found, err := p.store.HardwareOf(ctx, d.TenantID, d.ID)
	if err != nil {
		return mdm.Device{}, err
	}
	if !found || !h.Automated || !companyOwned(d) || d.Platform != mdm.PlatformIOS || d.State == mdm.DeviceRemoved {
		return mdm.Device{}, fmt.Errorf("device %s was not set up by Automated Device Enrollment", d.ID)
	}
	return d, nil
}
