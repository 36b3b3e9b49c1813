// Package vpp is a client for Apple's Apps and Books for Organizations API (version 2,
// formerly the Volume Purchase Program): the content token an organisation downloads from
// Apple Business Manager, the organisation's assets (apps with their licence counts), the
// users licences are assigned to, the association and disassociation of licences, and the
// status of the asynchronous events those requests start.
//
// The client does one HTTP request per call and reports Apple's answer as it is: an
// *APIError carries Apple's error number, and for a rate limit the pause Apple asked for.
// Retrying is the caller's business (trennwand retries through its durable job queue).
package vpp
