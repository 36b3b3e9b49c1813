package main

import (
	"time"

	"github.com/trennwand/trennwand/mdm/dataprotection"
	"github.com/trennwand/trennwand/mdm/domain"
	"github.com/trennwand/trennwand/mdm/jobs"
	"github.com/trennwand/trennwand/mdm/trail"
)

// dataProtectionInterval is how often the retention and inactivity sweeps run. Their
// periods are days and years, so an hour's delay is of no account; each sweep does its
// work once however often it runs.
const dataProtectionInterval = time.Hour

// handleDataProtection registers the periodic sweeps of data protection: deleting removed
// devices and old audit events after their retention periods, and the inactivity rule.
func handleDataProtection(q *jobs.Queue, svc *domain.Services) {
	jobs.Handle(q, svc.DataProtection.RunDeviceRetention)
	jobs.Handle(q, svc.Trail.RunAuditRetention)
	jobs.Handle(q, svc.DataProtection.RunInactivity)
	q.Every(dataProtectionInterval, dataprotection.DeviceRetentionJob{})
	q.Every(dataProtectionInterval, trail.AuditRetentionJob{})
	q.Every(dataProtectionInterval, dataprotection.InactivityJob{})
}
