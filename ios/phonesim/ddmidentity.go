package phonesim

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/trennwand/trennwand/ios/ddm/ddmschema"
)

// The asset type whose certificate the phone requests itself, and the type of the document
// its Reference points to.
const (
	scepAssetType  = "com.apple.asset.credential.scep"
	scepCredential = "com.apple.credential.scep"
)

// AssetIdentity is a certificate a credential.scep asset got the phone: the asset, the SCEP
// server and challenge its document named, and the certificate issued.
type AssetIdentity struct {
	Asset, ServerToken string
	SCEPURL, Challenge string
	Certificate        *x509.Certificate
}

// AssetIdentities returns the certificates the phone holds for its active credential.scep
// assets, by asset identifier.
func (p *Phone) AssetIdentities() map[string]AssetIdentity {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]AssetIdentity, len(p.ddm.identities))
	for id, a := range p.ddm.identities {
		out[id] = a
	}
	return out
}

// RequestCertificate runs SCEP against the server with the challenge, as the phone does
// for an asset, and returns the certificate: for a test that presents a challenge again.
func (p *Phone) RequestCertificate(ctx context.Context, scepURL, challenge string) (*x509.Certificate, error) {
	id, err := p.requestCertificate(ctx, scepURL, challenge)
	return id.cert, err
}

// fetchIdentities gets a certificate for each active credential.scep asset that is new
// or changed, as iOS does: it fetches the asset's document from its DataURL (with the MDM
// authentication the asset asks for), checks it against Apple's schema and runs SCEP with
// the document's URL and challenge. Certificates of assets no longer held are dropped. It
// returns how many requests it sent.
func (p *Phone) fetchIdentities(ctx context.Context) (int, error) {
	d := &p.ddm
	sent := 0
	keep := make(map[string]AssetIdentity, len(d.identities))
	for _, r := range d.sortedRefs() {
		h := d.held[r]
		if r.kind != "asset" || h.typ != scepAssetType || !h.active {
			continue
		}
		if had, ok := d.identities[r.identifier]; ok && had.ServerToken == h.serverToken {
			keep[r.identifier] = had
			continue
		}
		doc, err := p.fetchAsset(ctx, h.payload)
		sent++
		if err != nil {
			return sent, fmt.Errorf("asset %s: %w", r.identifier, err)
		}
		if err := ddmschema.CheckCredential(scepCredential, doc, true); err != nil {
			return sent, fmt.Errorf("asset %s: %w", r.identifier, err)
		}
		var cred struct{ URL, Challenge string }
		if err := json.Unmarshal(doc, &cred); err != nil {
			return sent, fmt.Errorf("asset %s: %w", r.identifier, err)
		}
		id, err := p.requestCertificate(ctx, cred.URL, cred.Challenge)
		sent += 2
		if err != nil {
			return sent, fmt.Errorf("asset %s: %w", r.identifier, err)
		}
		keep[r.identifier] = AssetIdentity{Asset: r.identifier, ServerToken: h.serverToken, SCEPURL: cred.URL, Challenge: cred.Challenge, Certificate: id.cert}
	}
	d.identities = keep
	return sent, nil
}

// fetchAsset fetches the document an asset's Reference points to. An asset that asks for
// MDM authentication is fetched as the phone's MDM requests are sent: with the enrolment
// token and an Mdm-Signature (of the empty body) by its device certificate.
func (p *Phone) fetchAsset(ctx context.Context, payload map[string]any) ([]byte, error) {
	ref, _ := payload["Reference"].(map[string]any)
	dataURL, _ := ref["DataURL"].(string)
	if u, err := url.Parse(dataURL); err != nil || u.Scheme != "https" {
		return nil, fmt.Errorf("DataURL %q is not an https URL", dataURL)
	}
	header := http.Header{}
	if auth, _ := payload["Authentication"].(map[string]any); auth["Type"] == "MDM" {
		sig, err := p.transport.SignMessage(ctx, nil)
		if err != nil {
			return nil, err
		}
		header.Set("Mdm-Signature", sig)
	}
	body, resp, err := p.send(ctx, http.MethodGet, dataURL, header, nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	if want, _ := ref["ContentType"].(string); want != "" && resp.Header.Get("Content-Type") != want {
		return nil, fmt.Errorf("content type %q, the asset says %q", resp.Header.Get("Content-Type"), want)
	}
	return body, nil
}
