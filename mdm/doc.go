// Package mdm is the shared part of trennwand's domain core: the vocabulary every
// sub-domain and platform speaks (tenants, employees, devices, commands, work policies as
// values, roles, verdicts, errors), the platforms' registrations with their capabilities,
// the device's life after enrolment (commands, removal, the pages of devices and
// employees), the dispatcher of platform jobs, and mdm.Store, the one transaction every
// sub-domain writes its change, its jobs and its audit event in. The sub-domains (access,
// compliance, dataprotection, enrolment, trail, workpolicy) are packages beneath it and
// mdm/domain puts them together; it knows nothing of HTTP, Apple or Google. The gorm
// implementation of the store lives in mdm/store.
package mdm
