package amapifake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	amapi "google.golang.org/api/androidmanagement/v1"
	"google.golang.org/api/googleapi"
)

// patchPolicy creates or replaces a policy; its version goes up with every patch, as
// Google's does.
func (f *Fake) patchPolicy(w http.ResponseWriter, r *http.Request) {
	var p amapi.Policy
	if !readJSON(w, r, &p) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.knownEnterprise(w, r) {
		return
	}
	p.Name = "enterprises/" + r.PathValue("e") + "/policies/" + r.PathValue("p")
	p.Version = 1
	if old, ok := f.policies[p.Name]; ok {
		p.Version = old.Version + 1
	}
	f.policies[p.Name] = &p
	writeJSON(w, http.StatusOK, p)
}

func (f *Fake) createToken(w http.ResponseWriter, r *http.Request) {
	var t amapi.EnrollmentToken
	if !readJSON(w, r, &t) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.knownEnterprise(w, r) {
		return
	}
	enterprise := "enterprises/" + r.PathValue("e")
	if _, ok := f.policies[t.PolicyName]; t.PolicyName != "" && !ok && !strings.HasPrefix(t.PolicyName, enterprise+"/") {
		writeError(w, http.StatusBadRequest, "policy belongs to another enterprise")
		return
	}
	duration := time.Hour
	if t.Duration != "" {
		d, err := time.ParseDuration(t.Duration)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, "invalid duration")
			return
		}
		duration = d
	}
	t.Value = strings.ToUpper(randomID() + randomID())
	t.Name = enterprise + "/enrollmentTokens/" + t.Value
	t.ExpirationTimestamp = time.Now().Add(duration).UTC().Format(time.RFC3339Nano)
	qr, _ := json.Marshal(map[string]any{
		"android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME":            provisioningAdmin,
		"android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION": "https://play.google.com/managed/downloadManagingApp?identifier=setup",
		"android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE":                    map[string]string{qrTokenKey: t.Value},
	})
	t.QrCode = string(qr)
	f.tokens[t.Value] = &t
	writeJSON(w, http.StatusOK, t)
}

func (f *Fake) listDevices(w http.ResponseWriter, r *http.Request) {
	prefix := "enterprises/" + r.PathValue("e") + "/devices/"
	size, _ := strconv.Atoi(r.URL.Query().Get("pageSize"))
	if size <= 0 || size > 100 {
		size = 100
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("pageToken"))
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for name := range f.devices {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := amapi.ListDevicesResponse{Devices: []*amapi.Device{}}
	for i := start; i < len(names) && i < start+size; i++ {
		out.Devices = append(out.Devices, f.devices[names[i]])
	}
	if start+size < len(names) {
		out.NextPageToken = strconv.Itoa(start + size)
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteDevice removes the device; on a personally owned device that removes the work
// profile, a company-owned device is erased as a whole (factory reset), with the wipe
// flags the request names.
func (f *Fake) deleteDevice(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := "enterprises/" + r.PathValue("e") + "/devices/" + r.PathValue("d")
	d, ok := f.devices[name]
	if !ok {
		notFound(w, "device")
		return
	}
	flags := r.URL.Query()["wipeDataFlags"]
	for _, flag := range flags {
		if !slices.Contains([]string{"WIPE_DATA_FLAG_UNSPECIFIED", "PRESERVE_RESET_PROTECTION_DATA", "WIPE_EXTERNAL_STORAGE"}, flag) {
			writeError(w, http.StatusBadRequest, "invalid wipeDataFlags")
			return
		}
	}
	if d.Ownership == "COMPANY_OWNED" {
		f.erased[name] = append([]string{}, flags...)
	}
	delete(f.devices, name)
	writeJSON(w, http.StatusOK, struct{}{})
}

// issueCommand starts an operation on the device; CompleteOperations finishes it.
func (f *Fake) issueCommand(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("d"), ":issueCommand")
	if !ok {
		notFound(w, "method")
		return
	}
	var c amapi.Command
	if !readJSON(w, r, &c) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name := "enterprises/" + r.PathValue("e") + "/devices/" + id
	d, ok := f.devices[name]
	if !ok {
		notFound(w, "device")
		return
	}
	if c.Type == "" {
		writeError(w, http.StatusBadRequest, "command type is required")
		return
	}
	if slices.Contains(companyOwnedCommands, c.Type) && d.Ownership != "COMPANY_OWNED" {
		writeError(w, http.StatusBadRequest, c.Type+" is supported on company-owned devices only")
		return
	}
	c.CreateTime = time.Now().UTC().Format(time.RFC3339Nano)
	meta, _ := json.Marshal(c)
	op := &amapi.Operation{Name: d.Name + "/operations/" + randomID(), Metadata: googleapi.RawMessage(meta)}
	f.operations[op.Name] = op
	f.pending = append(f.pending, op.Name)
	writeJSON(w, http.StatusOK, op)
}
