package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// CertificateKeys is the Android platform's binding of a work profile's certificate
// requests to one key: the device page shows requests refused for naming another key,
// and an administrator allows a renewal there.
type CertificateKeys interface {
	// CertificateKey returns the device's key binding; mdm.ErrNotFound when the device has
	// asked for no certificate yet.
	CertificateKey(ctx context.Context, tenantID, deviceID string) (CertificateKey, error)
	// AllowCertificateRenewal lets the device's next request bind a new key, once.
	AllowCertificateRenewal(ctx context.Context, actor string, t mdm.Tenant, deviceID, reason string) error
}

// CertificateKey is what the device page shows of a device's key binding.
type CertificateKey struct {
	BoundAt        time.Time
	RenewalAllowed bool
	Refused        int64
	LastRefusedAt  *time.Time
}

// certificateKeyOf returns the device's key binding for its page; nil when there is none
// to show.
func (d *Dashboard) certificateKeyOf(r *http.Request, dev mdm.Device) (*CertificateKey, error) {
	if d.cfg.CertificateKeys == nil || !d.svc.CapabilitiesOf(dev.Platform).Has(mdm.BindsCertificateKeys) {
		return nil, nil
	}
	k, err := d.cfg.CertificateKeys.CertificateKey(r.Context(), dev.TenantID, dev.ID)
	if errors.Is(err, mdm.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// allowCertificateRenewal lets the device bind a new certificate key once.
func (d *Dashboard) allowCertificateRenewal() http.HandlerFunc {
	return d.deviceAction("renewal_allowed", func(r *http.Request, v Viewer, id, reason string) error {
		if d.cfg.CertificateKeys == nil {
			return fmt.Errorf("%w: this installation has no Android platform", mdm.ErrInvalid)
		}
		return d.cfg.CertificateKeys.AllowCertificateRenewal(r.Context(), v.Principal.Actor, v.Tenant, id, reason)
	})
}
