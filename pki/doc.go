// Package pki holds the installation's keys and certificates: the master key that seals
// secrets at rest, and the server's TLS certificate. The embedded certificate authority
// that issues device certificates over SCEP, with revocation and a CRL, builds on it.
package pki
