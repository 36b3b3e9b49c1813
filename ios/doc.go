// Package ios manages the work volume on employees' iPhones and iPads through Apple User
// Enrolment (account-driven): discovery, enrolment profiles, the MDM check-in and command
// protocol, APNs pushes and the translation of a work policy into MDM commands.
package ios
