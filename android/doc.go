// Package android manages the work profile on employees' own Android phones through
// Google's Android Management API (AMAPI): it binds a tenant to an Android enterprise,
// turns each work policy into exactly one AMAPI policy, makes enrolment tokens for the
// portal, takes Google's Pub/Sub notifications (enrolment, status reports, command
// results) at PathPubSub, keeps devices in step with devices.list, and sends the few
// commands that act on a work profile. It implements mdm.Driver. Its own state lives in
// the android_ tables of the installation's database (Migrations).
package android
