// Package ddm is the Declarative Device Management channel of iPhones and iPads on User
// Enrolment (iOS and iPadOS 17.2 or later): a work policy becomes one declaration set (Build,
// a pure function), the phone fetches it through the DeclarativeManagement check-in
// (tokens, declaration-items, declaration/<type>/<identifier>) and reports its status items
// as they change; Channel answers those requests from the installation's database, scoped
// by tenant and enrolment, and takes the status reports into the core's facts. A policy's
// work mail account adds the account, the employee's user identity and, for Exchange, a
// SCEP asset whose document (with its one-time challenge) the platform serves apart from
// the set, so that no challenge is part of a declaration (mail.go).
//
// # Library
//
// The wire types and the set token come from github.com/jessepeterson/kmfddm's ddm and
// ddm/build packages: the declaration, the declaration-items and tokens responses, the
// manifest type of a declaration type, and the token over a set's server tokens. Its
// storage and HTTP API are not used: they keep declarations written by an administrator
// and assign sets to enrolments by hand, whereas here every declaration follows from a
// work policy (and the app licences), so a set is derived, stored once per distinct
// content, and the enrolment points to it. Its status parser flattens a report into
// untyped path/value pairs; the few items subscribed to are decoded here into typed values
// at the edge (DecodeStatus) instead, which is what the core needs.
package ddm
