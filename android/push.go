package android

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/compliance"
)

// The notification types the platform acts on; Pub/Sub may bring others (a test message,
// usage logs), which are acknowledged and dropped.
const (
	NotificationEnrollment   = "ENROLLMENT"
	NotificationStatusReport = "STATUS_REPORT"
	NotificationCommand      = "COMMAND"
)

// MaxPushBytes bounds a push request's body; a status report is a few kilobytes.
const MaxPushBytes = 256 << 10

// Notification is one AMAPI notification as Pub/Sub pushed it, decoded and checked.
// Only what the platform uses is kept: of a device, the facts of its work profile and its
// ownership, never network, location or the phone's other apps; its serial number and
// IMEI are read, and stored for a company-owned phone only (mdm.KeepsHardwareIDs).
type Notification struct {
	MessageID string
	Type      string
	// Device is the device an ENROLLMENT or STATUS_REPORT notification is about.
	Device *ReportedDevice
	// Operation is the command operation a COMMAND notification is about.
	Operation *ReportedOperation
}

// ReportedDevice is what the platform keeps of an AMAPI Device resource.
type ReportedDevice struct {
	Name string
	// TokenData is the enrolment token's additional data: the domain's device ID.
	TokenData          string
	State              string
	PolicyCompliant    bool
	NonCompliance      []string
	OSVersion          string
	SecurityPatchLevel string
	// EnterpriseSpecificID is the work profile's enrolment-specific ID (Android 12 and
	// later), the one hardware fact kept: the companion app names its device by it.
	EnterpriseSpecificID string
	// Ownership is whose phone the device says it is (COMPANY_OWNED or
	// PERSONALLY_OWNED); empty when it says neither. It never decides the device's
	// ownership, which the invitation does: a report of another is refused.
	Ownership mdm.Ownership
	// Hardware are the serial number and IMEI the device reports; the core keeps them for
	// a company-owned phone only and drops them for the employee's own.
	Hardware mdm.HardwareIDs
	// SecurityPosture is Google's verdict on the device's integrity (securityPosture.
	// devicePosture: SECURE, AT_RISK, POTENTIALLY_COMPROMISED); empty when not reported.
	SecurityPosture string
	// Apps are the installed apps of the work profile with their versions, as the report
	// lists them (applicationReports; a work profile lists its own apps only); nil when
	// the report lists none at all. Only those of the device's work policy are ever kept
	// (recordWorkApps).
	Apps []ReportedApp
}

// ReportedApp is an installed app of a work profile's report.
type ReportedApp struct {
	Package     string
	VersionName string
	VersionCode int64
}

// ReportedOperation is what the platform keeps of an AMAPI Operation resource.
type ReportedOperation struct {
	Name  string
	Done  bool
	Error string // empty when the command succeeded (or is not done)
}

// ErrMalformed means a push request is not a Pub/Sub push of an AMAPI notification.
var ErrMalformed = fmt.Errorf("%w: not a Pub/Sub push of an Android Management API notification", mdm.ErrInvalid)

var (
	messageIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)
	devicePattern    = regexp.MustCompile(`^enterprises/[A-Za-z0-9_-]{1,100}/devices/[A-Za-z0-9_-]{1,100}$`)
	operationPattern = regexp.MustCompile(`^enterprises/[A-Za-z0-9_-]{1,100}/devices/[A-Za-z0-9_-]{1,100}/operations/[A-Za-z0-9_-]{1,200}$`)
)

// envelope is the body Pub/Sub posts to a push endpoint.
type envelope struct {
	Message *struct {
		Data       string            `json:"data"`
		Attributes map[string]string `json:"attributes"`
		MessageID  string            `json:"messageId"`
	} `json:"message"`
}

// wireDevice is the part of an AMAPI Device that the platform reads; every other field of
// the report is never decoded.
type wireDevice struct {
	Name                 string `json:"name"`
	EnrollmentTokenData  string `json:"enrollmentTokenData"`
	State                string `json:"state"`
	PolicyCompliant      bool   `json:"policyCompliant"`
	NonComplianceDetails []struct {
		SettingName         string `json:"settingName"`
		NonComplianceReason string `json:"nonComplianceReason"`
		PackageName         string `json:"packageName"`
	} `json:"nonComplianceDetails"`
	SoftwareInfo struct {
		AndroidVersion     string `json:"androidVersion"`
		SecurityPatchLevel string `json:"securityPatchLevel"`
	} `json:"softwareInfo"`
	Ownership    string `json:"ownership"`
	HardwareInfo struct {
		EnterpriseSpecificID string `json:"enterpriseSpecificId"`
		SerialNumber         string `json:"serialNumber"`
	} `json:"hardwareInfo"`
	NetworkInfo struct {
		IMEI string `json:"imei"`
	} `json:"networkInfo"`
	SecurityPosture struct {
		DevicePosture string `json:"devicePosture"`
	} `json:"securityPosture"`
	ApplicationReports []struct {
		PackageName string `json:"packageName"`
		VersionName string `json:"versionName"`
		VersionCode int64  `json:"versionCode"`
		State       string `json:"state"`
	} `json:"applicationReports"`
}

// wireOperation is the part of an AMAPI Operation that the platform reads.
type wireOperation struct {
	Name  string `json:"name"`
	Done  bool   `json:"done"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
	Metadata struct {
		ErrorCode string `json:"errorCode"`
	} `json:"metadata"`
}

// DecodePush decodes and checks the body of a Pub/Sub push request. A notification of a
// type the platform does not act on comes back with only its ID and type.
func DecodePush(body []byte) (Notification, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Message == nil {
		return Notification{}, ErrMalformed
	}
	m := env.Message
	if !messageIDPattern.MatchString(m.MessageID) {
		return Notification{}, fmt.Errorf("%w: message ID", ErrMalformed)
	}
	n := Notification{MessageID: m.MessageID, Type: m.Attributes["notificationType"]}
	switch n.Type {
	case NotificationEnrollment, NotificationStatusReport, NotificationCommand:
	default:
		return n, nil
	}
	data, err := base64.StdEncoding.DecodeString(m.Data)
	if err != nil {
		return Notification{}, fmt.Errorf("%w: message data is not base64", ErrMalformed)
	}
	if n.Type == NotificationCommand {
		n.Operation, err = decodeOperation(data)
	} else {
		n.Device, err = decodeDevice(data)
	}
	if err != nil {
		return Notification{}, err
	}
	return n, nil
}

func decodeDevice(data []byte) (*ReportedDevice, error) {
	var w wireDevice
	if err := json.Unmarshal(data, &w); err != nil || !devicePattern.MatchString(w.Name) {
		return nil, fmt.Errorf("%w: the data is not a device", ErrMalformed)
	}
	d := &ReportedDevice{Name: w.Name, TokenData: w.EnrollmentTokenData, State: w.State, PolicyCompliant: w.PolicyCompliant,
		OSVersion: w.SoftwareInfo.AndroidVersion, SecurityPatchLevel: w.SoftwareInfo.SecurityPatchLevel}
	if _, known := devicePostures[w.SecurityPosture.DevicePosture]; known {
		d.SecurityPosture = w.SecurityPosture.DevicePosture
	}
	if enterpriseIDPattern.MatchString(w.HardwareInfo.EnterpriseSpecificID) {
		d.EnterpriseSpecificID = w.HardwareInfo.EnterpriseSpecificID
	}
	d.Ownership = reportedOwnership[w.Ownership]
	if hw := (mdm.HardwareIDs{SerialNumber: w.HardwareInfo.SerialNumber, IMEI: w.NetworkInfo.IMEI}); hw.Check() == nil {
		d.Hardware = hw
	}
	d.Apps = reportedApps(w)
	for _, nc := range w.NonComplianceDetails {
		reason := nc.SettingName + ": " + nc.NonComplianceReason
		if nc.PackageName != "" {
			reason += " (" + nc.PackageName + ")"
		}
		d.NonCompliance = append(d.NonCompliance, reason)
	}
	return d, nil
}

// Bounds of what a report's app list may hold; an app beyond them is left out.
const (
	maxReportedApps = 1000
	maxVersionName  = 100
)

// reportedApps reads the installed apps of the report: each with a well-formed package
// name, once, its version name cut to its bound; nil when the report lists no apps.
func reportedApps(w wireDevice) []ReportedApp {
	if w.ApplicationReports == nil {
		return nil
	}
	out := make([]ReportedApp, 0, min(len(w.ApplicationReports), maxReportedApps))
	seen := make(map[string]bool, cap(out))
	for _, a := range w.ApplicationReports {
		if len(out) == maxReportedApps {
			break
		}
		if a.State != "INSTALLED" || seen[a.PackageName] || len(a.PackageName) > maxPackageName || !packagePattern.MatchString(a.PackageName) {
			continue
		}
		seen[a.PackageName] = true
		name := strings.ToValidUTF8(a.VersionName, "")
		if len(name) > maxVersionName {
			name = strings.ToValidUTF8(name[:maxVersionName], "")
		}
		out = append(out, ReportedApp{Package: a.PackageName, VersionName: name, VersionCode: max(a.VersionCode, 0)})
	}
	return out
}

func decodeOperation(data []byte) (*ReportedOperation, error) {
	var w wireOperation
	if err := json.Unmarshal(data, &w); err != nil || !operationPattern.MatchString(w.Name) {
		return nil, fmt.Errorf("%w: the data is not an operation", ErrMalformed)
	}
	op := &ReportedOperation{Name: w.Name, Done: w.Done}
	var reasons []string
	if w.Error != nil {
		reasons = append(reasons, w.Error.Message)
	}
	if w.Metadata.ErrorCode != "" && w.Metadata.ErrorCode != "COMMAND_ERROR_CODE_UNSPECIFIED" {
		reasons = append(reasons, w.Metadata.ErrorCode)
	}
	op.Error = strings.Join(reasons, "; ")
	if op.Done && w.Error != nil && op.Error == "" {
		op.Error = "failed"
	}
	return op, nil
}

// status is the domain's view of a reported device.
func (d *ReportedDevice) status() compliance.DeviceStatus {
	st := compliance.DeviceStatus{OSVersion: d.OSVersion, SecurityPatchLevel: d.SecurityPatchLevel,
		Compliance: mdm.ComplianceCompliant, NonCompliance: d.NonCompliance}
	if !d.PolicyCompliant {
		st.Compliance = mdm.ComplianceNonCompliant
	}
	return st
}

// reportedOwnership is the domain's name of AMAPI's device ownership.
var reportedOwnership = map[string]mdm.Ownership{"COMPANY_OWNED": mdm.OwnershipCompany, "PERSONALLY_OWNED": mdm.OwnershipPersonal}

// errIgnored marks a notification that is acknowledged without effect: it names no
// device or command of the tenant.
var errIgnored = errors.New("ignored")
