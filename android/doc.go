// Package android manages the work profile on employees' Android phones through Google's
// Android Management API: enterprise binding, translation of a work policy into one AMAPI
// policy, enrolment tokens, the Pub/Sub push endpoint, device sync and commands.
package android
