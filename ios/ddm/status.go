package ddm

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// Limits on what a status report may carry; a report beyond them is refused.
const (
	maxApps         = 500
	maxDeclarations = 200
	maxCapabilities = 8 << 10
	maxText         = 128
	maxReasons      = 400
	// maxCertificates and maxCertificateDER bound security.certificate.list: a work area
	// holds a few certificates of a few kilobytes each.
	maxCertificates   = 64
	maxCertificateDER = 16 << 10
)

// StatusReport is a phone's status report as the server uses it: only the items it
// subscribed to, each nil (or not Reported) when this report does not carry it, since a
// phone reports only what changed.
type StatusReport struct {
	OSVersion         *string
	OSBuild           *string
	PasscodeCompliant *bool
	PasscodePresent   *bool
	// Apps are the managed apps the report names; AppsReported says whether it named any.
	Apps         []AppStatus
	AppsReported bool
	// Capabilities is the phone's management.client-capabilities, compact JSON; nil when
	// not reported.
	Capabilities []byte
	// Declarations are the states of the declarations; DeclarationsReported says whether
	// the report carried them.
	Declarations         []DeclarationStatus
	DeclarationsReported bool
	// Certificates are the certificates of the work area's keychain the report names;
	// CertificatesReported says whether it named any. In a full report (FullReport) they
	// are all of them; otherwise only those that are new, changed or gone (Removed).
	Certificates         []CertificateStatus
	CertificatesReported bool
	FullReport           bool
}

// CertificateStatus is one certificate of a security.certificate.list report, read from
// the certificate the phone sends; the certificate itself is not kept.
type CertificateStatus struct {
	// Identifier is the phone's name of the certificate.
	Identifier string
	// Removed: the certificate is gone (an incremental report's "_removed"); nothing else
	// is set then.
	Removed    bool
	IsIdentity bool
	Cert       *x509.Certificate
}

// AppStatus is one managed app of an app.managed.list report.
type AppStatus struct {
	BundleID string
	State    string
	Version  string
	// Removed: the app is no longer managed (an incremental report's "_removed").
	Removed bool
}

// DeclarationStatus is the state of one declaration on the phone.
type DeclarationStatus struct {
	Identifier   string
	ManifestType string
	Active       bool
	// Valid is "valid", "invalid" or "unknown".
	Valid       string
	ServerToken string
	// Reasons says, in the phone's words, why a declaration is not active or valid.
	Reasons string
}

// wireStatus is the part of a status report's JSON that is decoded; anything else is
// never read.
type wireStatus struct {
	StatusItems struct {
		Device struct {
			OS *struct {
				Version *string `json:"version"`
				Build   *string `json:"build-version"`
			} `json:"operating-system"`
		} `json:"device"`
		Passcode struct {
			Compliant *bool `json:"is-compliant"`
			Present   *bool `json:"is-present"`
		} `json:"passcode"`
		App struct {
			Managed struct {
				List *[]struct {
					Identifier   string `json:"identifier"`
					State        string `json:"state"`
					Version      string `json:"version"`
					ShortVersion string `json:"short-version"`
					Removed      bool   `json:"_removed"`
				} `json:"list"`
			} `json:"managed"`
		} `json:"app"`
		Management struct {
			Capabilities json.RawMessage              `json:"client-capabilities"`
			Declarations map[string][]wireDeclaration `json:"declarations"`
		} `json:"management"`
		Security struct {
			Certificate struct {
				List *[]wireCertificate `json:"list"`
			} `json:"certificate"`
		} `json:"security"`
	} `json:"StatusItems"`
	FullReport bool `json:"FullReport"`
}

// wireCertificate is an entry of security.certificate.list; data is the DER, base64 in
// JSON.
type wireCertificate struct {
	Identifier string `json:"identifier"`
	Removed    bool   `json:"_removed"`
	IsIdentity bool   `json:"is-identity"`
	Data       []byte `json:"data"`
}

type wireDeclaration struct {
	Identifier  string `json:"identifier"`
	Active      bool   `json:"active"`
	Valid       string `json:"valid"`
	ServerToken string `json:"server-token"`
	Reasons     []struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"reasons"`
}

// manifestKeys are the groups of management.declarations and their manifest types.
var manifestKeys = map[string]string{"activations": "activation", "configurations": "configuration", "assets": "asset", "management": "management"}

// DecodeStatus parses the JSON of a status report once, at the edge, into typed values.
// A report that is not JSON, has a subscribed item of the wrong type, or exceeds the
// limits is refused with the reason; nothing of it is then taken in.
func DecodeStatus(raw []byte) (StatusReport, error) {
	var w wireStatus
	if err := json.Unmarshal(raw, &w); err != nil {
		return StatusReport{}, fmt.Errorf("status report: %w", err)
	}
	var r StatusReport
	items := w.StatusItems
	if os := items.Device.OS; os != nil {
		r.OSVersion, r.OSBuild = cutPtr(os.Version), cutPtr(os.Build)
	}
	r.PasscodeCompliant, r.PasscodePresent = items.Passcode.Compliant, items.Passcode.Present
	if list := items.App.Managed.List; list != nil {
		if len(*list) > maxApps {
			return StatusReport{}, fmt.Errorf("status report: %d managed apps, at most %d", len(*list), maxApps)
		}
		r.AppsReported = true
		for _, a := range *list {
			if a.Identifier == "" {
				return StatusReport{}, fmt.Errorf("status report: a managed app without identifier")
			}
			version := a.ShortVersion
			if version == "" {
				version = a.Version
			}
			r.Apps = append(r.Apps, AppStatus{BundleID: cut(a.Identifier), State: cut(a.State), Version: cut(version), Removed: a.Removed})
		}
	}
	if c := items.Management.Capabilities; len(c) > 0 && !bytes.Equal(c, []byte("null")) {
		var compact bytes.Buffer
		if err := json.Compact(&compact, c); err != nil || compact.Len() > maxCapabilities || compact.Bytes()[0] != '{' {
			return StatusReport{}, fmt.Errorf("status report: client capabilities are not an object of at most %d bytes", maxCapabilities)
		}
		r.Capabilities = compact.Bytes()
	}
	if ds := items.Management.Declarations; ds != nil {
		r.DeclarationsReported = true
		for key, group := range ds {
			manifest, ok := manifestKeys[key]
			if !ok {
				continue
			}
			for _, d := range group {
				r.Declarations = append(r.Declarations, DeclarationStatus{Identifier: cut(d.Identifier), ManifestType: manifest,
					Active: d.Active, Valid: cut(d.Valid), ServerToken: cut(d.ServerToken), Reasons: reasons(d)})
			}
		}
		if len(r.Declarations) > maxDeclarations {
			return StatusReport{}, fmt.Errorf("status report: %d declarations, at most %d", len(r.Declarations), maxDeclarations)
		}
	}
	if list := items.Security.Certificate.List; list != nil {
		certs, err := decodeCertificates(*list)
		if err != nil {
			return StatusReport{}, fmt.Errorf("status report: %w", err)
		}
		r.Certificates, r.CertificatesReported = certs, true
	}
	r.FullReport = w.FullReport
	return r, nil
}

// decodeCertificates reads the entries of security.certificate.list: each names the
// certificate and, unless it is gone, carries a certificate in DER that can be read.
func decodeCertificates(list []wireCertificate) ([]CertificateStatus, error) {
	if len(list) > maxCertificates {
		return nil, fmt.Errorf("%d certificates, at most %d", len(list), maxCertificates)
	}
	out := make([]CertificateStatus, 0, len(list))
	for _, c := range list {
		if c.Identifier == "" || len(c.Identifier) > maxText || strings.IndexFunc(c.Identifier, unicode.IsControl) >= 0 {
			return nil, fmt.Errorf("a certificate without identifier, or with one of control characters or longer than %d bytes", maxText)
		}
		if c.Removed {
			out = append(out, CertificateStatus{Identifier: c.Identifier, Removed: true})
			continue
		}
		if len(c.Data) == 0 || len(c.Data) > maxCertificateDER {
			return nil, fmt.Errorf("certificate %.64q: data missing or larger than %d bytes", c.Identifier, maxCertificateDER)
		}
		cert, err := x509.ParseCertificate(c.Data)
		if err != nil {
			return nil, fmt.Errorf("certificate %.64q: %w", c.Identifier, err)
		}
		out = append(out, CertificateStatus{Identifier: c.Identifier, IsIdentity: c.IsIdentity, Cert: cert})
	}
	return out, nil
}

// reasons joins a declaration's reasons into one line.
func reasons(d wireDeclaration) string {
	parts := make([]string, 0, len(d.Reasons))
	for _, r := range d.Reasons {
		text := strings.TrimSpace(r.Code)
		if desc := strings.TrimSpace(r.Description); desc != "" && text != "" {
			text += ": " + desc
		} else if desc != "" {
			text = desc
		}
		if text != "" {
			parts = append(parts, text)
		}
	}
	s := strings.Join(parts, "; ")
	if len(s) > maxReasons {
		s = s[:maxReasons]
	}
	return strings.ToValidUTF8(s, "")
}

// cut bounds a reported text.
func cut(s string) string {
	if len(s) > maxText {
		s = s[:maxText]
	}
	return strings.ToValidUTF8(s, "")
}

func cutPtr(s *string) *string {
	if s == nil {
		return nil
	}
	v := cut(*s)
	return &v
}
