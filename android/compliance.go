package android

import (
	"context"
	"fmt"
	"strings"

	"github.com/trennwand/trennwand/mdm/compliance"
)

// What a work profile reports for the compliance rules. The work passcode: AMAPI names an
// unmet password requirement in nonComplianceDetails under the policy field
// passwordPolicies, which the work policy sets with profile scope when it requires a work
// passcode (translate); a report without it means the requirement is met. The device's
// integrity: securityPosture.devicePosture, Google's verdict from Play Integrity.

// passwordSetting is the settingName AMAPI gives an unmet password requirement.
const passwordSetting = "passwordPolicies"

// devicePostures maps AMAPI's device posture to the integrity finding.
var devicePostures = map[string]compliance.Finding{
	"SECURE":                  compliance.FindingMet,
	"AT_RISK":                 compliance.FindingFailed,
	"POTENTIALLY_COMPROMISED": compliance.FindingFailed,
}

// complianceFacts are the report's facts for the compliance rules.
func (d *ReportedDevice) complianceFacts() compliance.Facts {
	f := compliance.Facts{Passcode: compliance.FindingMet, Integrity: devicePostures[d.SecurityPosture]}
	for _, r := range d.NonCompliance {
		if strings.HasPrefix(r, passwordSetting+":") {
			f.Passcode = compliance.FindingFailed
		}
	}
	if f.Integrity != "" {
		f.IntegrityDetail = d.SecurityPosture
	}
	return f
}

// reportStatus records a report about the tenant's device: its status and its compliance
// with the work policy's rules, in one transaction, then the versions of its work apps.
func (p *Platform) reportStatus(ctx context.Context, tenantID, deviceID string, rd *ReportedDevice) error {
	st := rd.status()
	if err := p.svc.Compliance.ReportDevice(ctx, tenantID, deviceID, &st, rd.complianceFacts()); err != nil {
		return fmt.Errorf("report of device %s: %w", deviceID, err)
	}
	return p.recordReportedApps(ctx, tenantID, deviceID, rd)
}
