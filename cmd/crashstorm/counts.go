package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/trennwand/trennwand/mdm/store"
	"github.com/trennwand/trennwand/sim"
)

// result is what the storm found. The JSON keys are what scripts read.
type result struct {
	Phones   int           `json:"phones"`
	Sims     []sim.Summary `json:"sims"`
	Enrolled int           `json:"enrolled"`
	Retried  int           `json:"retried"`
	// SimErrors are phones that gave up: neither enrolled nor able to retry.
	SimErrors int `json:"sim_errors"`
	// Devices counts the device rows by platform and state.
	Devices map[string]int `json:"devices"`
	// Stuck are devices still invited or enrolling after every phone finished.
	Stuck int `json:"stuck"`
	// CommandsQueued are the commands the server recorded, CommandsOpen those of them
	// still waiting for an answer (queued or sent in the core, or in an iPhone's queue).
	CommandsQueued int `json:"commands_queued"`
	CommandsOpen   int `json:"commands_open"`
	// CommandsDelivered are the different commands the iPhones carried out;
	// CommandsRepeated those handed to a phone again after it had carried them out.
	CommandsDelivered  int  `json:"commands_delivered"`
	CommandsRepeated   int  `json:"commands_repeated"`
	CertsWithoutDevice int  `json:"certificates_without_device"`
	DevicesWithoutCert int  `json:"devices_without_certificate"`
	AuditOK            bool `json:"audit_ok"`
	AuditEvents        int  `json:"audit_events"`
}

// problems lists the invariants the run broke.
func (r result) problems() []string {
	var out []string
	check := func(ok bool, what string) {
		if !ok {
			out = append(out, what)
		}
	}
	check(r.Enrolled == r.Phones, fmt.Sprintf("%d of %d phones enrolled", r.Enrolled, r.Phones))
	check(r.SimErrors == 0, fmt.Sprintf("%d phones gave up", r.SimErrors))
	check(r.Stuck == 0, fmt.Sprintf("%d devices stuck before active", r.Stuck))
	check(r.CommandsOpen == 0, fmt.Sprintf("%d commands never answered", r.CommandsOpen))
	check(r.CommandsRepeated == 0, fmt.Sprintf("%d commands delivered twice", r.CommandsRepeated))
	check(r.CertsWithoutDevice == 0, fmt.Sprintf("%d certificates without a device", r.CertsWithoutDevice))
	check(r.DevicesWithoutCert == 0, fmt.Sprintf("%d iPhones without a certificate", r.DevicesWithoutCert))
	check(r.AuditOK, "the audit trail does not verify")
	return out
}

// print writes the counts for a person.
func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "phones                         %d\n", r.Phones)
	for _, s := range r.Sims {
		fmt.Fprintf(w, "  %-8s enrolled %d, configured %d, retries %d, gave up %d %s\n", s.Platform, s.Enrolled, s.Configured, s.Retried, s.Errors, s.FirstError)
	}
	fmt.Fprintf(w, "enrolled                       %d\n", r.Enrolled)
	fmt.Fprintf(w, "retried steps                  %d\n", r.Retried)
	fmt.Fprintf(w, "devices by state               %v\n", r.Devices)
	fmt.Fprintf(w, "stuck before active            %d\n", r.Stuck)
	fmt.Fprintf(w, "commands queued                %d\n", r.CommandsQueued)
	fmt.Fprintf(w, "commands still open (lost)     %d\n", r.CommandsOpen)
	fmt.Fprintf(w, "commands delivered (iPhones)   %d\n", r.CommandsDelivered)
	fmt.Fprintf(w, "commands delivered twice       %d\n", r.CommandsRepeated)
	fmt.Fprintf(w, "certificates without device    %d\n", r.CertsWithoutDevice)
	fmt.Fprintf(w, "iPhones without certificate    %d\n", r.DevicesWithoutCert)
	fmt.Fprintf(w, "audit verify                   ok=%v, %d events\n", r.AuditOK, r.AuditEvents)
	if p := r.problems(); len(p) > 0 {
		fmt.Fprintf(w, "BROKEN: %v\n", p)
	} else {
		fmt.Fprintln(w, "all invariants hold")
	}
}

// count reads the database of the stopped server and runs `trennwand audit verify`.
func (s *storm) count(ctx context.Context, r *result) error {
	setting := s.cfg.db
	if setting == "" {
		abs, err := filepath.Abs(filepath.Join(s.cfg.dataDir, "trennwand.db"))
		if err != nil {
			return err
		}
		setting = "sqlite://" + abs
	}
	dsn, err := store.ParseDSN(setting)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	db := st.Tables().DB().WithContext(ctx)

	var states []struct {
		Platform, State string
		N               int
	}
	if err := db.Raw(`SELECT platform, state, COUNT(*) AS n FROM devices GROUP BY platform, state`).Scan(&states).Error; err != nil {
		return fmt.Errorf("count devices: %w", err)
	}
	r.Devices = map[string]int{}
	for _, st := range states {
		r.Devices[st.Platform+"/"+st.State] = st.N
		if st.State == "invited" || st.State == "enrolling" {
			r.Stuck += st.N
		}
	}
	counts := []struct {
		into  *int
		query string
	}{
		{&r.CommandsQueued, `SELECT COUNT(*) FROM commands`},
		{&r.CommandsOpen, `SELECT (SELECT COUNT(*) FROM commands WHERE state IN ('queued', 'sent')) + (SELECT COUNT(*) FROM ios_queue)`},
		{&r.CertsWithoutDevice, `SELECT COUNT(*) FROM pki_certificates c WHERE c.tenant_id <> '' AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = c.enrolment_id)`},
		{&r.DevicesWithoutCert, `SELECT COUNT(*) FROM devices d WHERE d.platform = 'ios' AND d.state = 'active' AND NOT EXISTS (SELECT 1 FROM pki_certificates c WHERE c.enrolment_id = d.id)`},
	}
	for _, c := range counts {
		if err := db.Raw(c.query).Scan(c.into).Error; err != nil {
			return fmt.Errorf("count: %s: %w", c.query, err)
		}
	}
	out, _ := s.trennwand(ctx, "audit", "verify", "--json")
	var verify struct {
		OK      bool
		Tenants []struct{ Events int }
	}
	if err := json.Unmarshal(out, &verify); err != nil {
		return fmt.Errorf("audit verify printed %q", out)
	}
	r.AuditOK = verify.OK
	for _, t := range verify.Tenants {
		r.AuditEvents += t.Events
	}
	return nil
}
