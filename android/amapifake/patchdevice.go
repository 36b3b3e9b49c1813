package amapifake

import (
	"net/http"
	"strings"

	amapi "google.golang.org/api/androidmanagement/v1"
)

// patchDevice changes what devices.patch may change here: the device's policy. The policy
// must exist in the device's enterprise; the phone applies it at once, so the device
// reports it as applied (the real phone does so at its next contact).
func (f *Fake) patchDevice(w http.ResponseWriter, r *http.Request) {
	mask := r.URL.Query().Get("updateMask")
	if mask != "policyName" {
		writeError(w, http.StatusBadRequest, "updateMask must be policyName here, not "+mask)
		return
	}
	var in amapi.Device
	if !readJSON(w, r, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	enterprise := "enterprises/" + r.PathValue("e")
	d, ok := f.devices[enterprise+"/devices/"+r.PathValue("d")]
	if !ok {
		notFound(w, "device")
		return
	}
	policy := in.PolicyName
	if !strings.Contains(policy, "/") {
		policy = enterprise + "/policies/" + policy
	}
	p, ok := f.policies[policy]
	if !ok || !strings.HasPrefix(policy, enterprise+"/") {
		writeError(w, http.StatusBadRequest, "policy "+in.PolicyName+" does not exist in "+enterprise)
		return
	}
	d.PolicyName, d.AppliedPolicyName, d.AppliedPolicyVersion = p.Name, p.Name, p.Version
	writeJSON(w, http.StatusOK, d)
}
