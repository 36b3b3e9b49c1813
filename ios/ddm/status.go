package ddm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Limits on what a status report may carry; a report beyond them is refused.
const (
	maxApps         = 500
	maxDeclarations = 200
	maxCapabilities = 8 << 10
	maxText         = 128
	maxReasons      = 400
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
	} `json:"StatusItems"`
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
	return r, nil
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
