// Package api is trennwand's one HTTPS server: routing, TLS, request logging, metrics,
// health and readiness, and the mounting of the platform, PKI and page handlers. The JSON
// API under /api/v1 is served from here.
package api
