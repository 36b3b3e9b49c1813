package phonesim

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/micromdm/nanomdm/test/protocol"
	"github.com/micromdm/plist"

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
	key                *rsa.PrivateKey
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

// IdleAsAsset sends an Idle report signed (Mdm-Signature) with the certificate of the
// phone's credential.scep asset instead of its MDM identity — what a phone, or whoever
// copied the work mail account's certificate and key, would send to pass it off as the
// phone's identity — and returns the HTTP status the server answers. For tests of the
// server's refusal.
func (p *Phone) IdleAsAsset(ctx context.Context, asset string) (int, error) {
	p.mu.Lock()
	a, ok := p.ddm.identities[asset]
	p.mu.Unlock()
	if !ok {
		return 0, fmt.Errorf("the phone holds no certificate of asset %s", asset)
	}
	body, err := plist.Marshal(p.answer("", "Idle"))
	if err != nil {
		return 0, err
	}
	t := protocol.NewTransport(protocol.WithSignMessage(), protocol.WithIdentityProvider(identity{key: a.key, cert: a.Certificate}.provide))
	sig, err := t.SignMessage(ctx, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, p.serverURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Mdm-Signature", sig)
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, err := p.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// heldCertificates is the value of security.certificate.list: the certificates in the
// work area's keychain, which is all a phone on User Enrolment reports — its MDM identity
// and the certificate of each credential.scep asset, with the asset's identifier.
func (p *Phone) heldCertificates() []any {
	entry := func(c *x509.Certificate, asset string) map[string]any {
		sum := sha256.Sum256(c.Raw)
		e := map[string]any{"identifier": hex.EncodeToString(sum[:8]), "subject-summary": c.Subject.CommonName,
			"is-identity": true, "data": c.Raw}
		if asset != "" {
			e["declaration-identifier"] = asset
		}
		return e
	}
	list := []any{}
	if p.identity.cert != nil {
		list = append(list, entry(p.identity.cert, ""))
	}
	for _, id := range slices.Sorted(maps.Keys(p.ddm.identities)) {
		list = append(list, entry(p.ddm.identities[id].Certificate, id))
	}
	return list
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
		keep[r.identifier] = AssetIdentity{Asset: r.identifier, ServerToken: h.serverToken, SCEPURL: cred.URL, Challenge: cred.Challenge,
			Certificate: id.cert, key: id.key}
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
