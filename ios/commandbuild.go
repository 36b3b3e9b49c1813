package ios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	apple "github.com/micromdm/nanomdm/mdm"
	"github.com/micromdm/plist"

	"github.com/trennwand/trennwand/mdm"
)

// domainCommandPrefix starts the CommandUUID of an Apple command that carries a command of
// the domain, so that the phone's answer finds it: the rest is the domain command's ID.
const domainCommandPrefix = "trennwand-"

// newCommand encodes an MDM command with its request type and keys.
func newCommand(uuid, requestType string, keys map[string]any) (*apple.Command, error) {
	body := map[string]any{"RequestType": requestType}
	for k, v := range keys {
		body[k] = v
	}
	raw, err := plist.Marshal(map[string]any{"CommandUUID": uuid, "Command": body})
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", requestType, err)
	}
	cmd := &apple.Command{CommandUUID: uuid, Raw: raw}
	cmd.Command.RequestType = requestType
	return cmd, nil
}

// appConfiguration turns a managed configuration (a JSON object) into the dictionary an
// app reads from its managed configuration: whole numbers stay integers.
func appConfiguration(cfg mdm.JSONObject) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(cfg)))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: managed configuration: %v", mdm.ErrInvalid, err)
	}
	return plistValues(v).(map[string]any), nil
}

func plistValues(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plistValues(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = plistValues(e)
		}
		return x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// configHash identifies a managed configuration regardless of key order and spacing.
func configHash(cfg mdm.JSONObject) string {
	var v any
	if err := json.Unmarshal([]byte(cfg), &v); err != nil {
		return ""
	}
	canonical, _ := json.Marshal(v) // maps are encoded with sorted keys
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:8])
}

// installApplication installs (or updates) a work app with its configuration. User
// Enrolment installs only apps the organisation has licences for (PurchaseMethod 1), and
// never takes over an app the employee installed privately.
func installApplication(uuid, bundleID string, cfg mdm.JSONObject) (*apple.Command, error) {
	config, err := appConfiguration(cfg)
	if err != nil {
		return nil, err
	}
	keys := map[string]any{
		"Identifier":      bundleID,
		"Options":         map[string]any{"PurchaseMethod": 1},
		"ManagementFlags": 1, // removed with the enrolment
	}
	if len(config) > 0 {
		keys["Configuration"] = config
	}
	return newCommand(uuid, "InstallApplication", keys)
}

// applicationConfiguration changes only the configuration of an installed work app.
func applicationConfiguration(uuid, bundleID string, cfg mdm.JSONObject) (*apple.Command, error) {
	config, err := appConfiguration(cfg)
	if err != nil {
		return nil, err
	}
	return newCommand(uuid, "Settings", map[string]any{"Settings": []any{map[string]any{
		"Item": "ApplicationConfiguration", "Identifier": bundleID, "Configuration": config,
	}}})
}

// commandStatus reads the result status and, for an error, a readable reason from a
// command report.
func commandStatus(r *apple.CommandResults) (ok bool, reason string) {
	if r.Status == "Acknowledged" {
		return true, ""
	}
	var report struct {
		ErrorChain []struct {
			LocalizedDescription string
			ErrorCode            int
			ErrorDomain          string
		}
		RejectionReason string
	}
	_ = plist.NewDecoder(bytes.NewReader(r.Raw)).Decode(&report)
	reason = r.Status
	if report.RejectionReason != "" {
		reason += ": " + report.RejectionReason
	}
	for _, e := range report.ErrorChain {
		if e.LocalizedDescription != "" {
			reason += ": " + e.LocalizedDescription
			break
		}
	}
	return false, reason
}
