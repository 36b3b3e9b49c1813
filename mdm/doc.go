// Package mdm is the domain core of trennwand: tenants, administrators, employees,
// invitations, devices and their enrolment, work policies with app assignments, commands
// and the audit trail. It declares the store it needs and the rules that hold on every
// platform; it knows nothing of HTTP, Apple or Google. The gorm implementation of the
// store lives in mdm/store.
package mdm
