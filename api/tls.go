package api

import "crypto/tls"

// aeadSuites are the TLS 1.2 cipher suites the server accepts: ECDHE key exchange (forward
// secrecy) with an AEAD cipher. CBC suites are left out for their padding-oracle and
// timing history; TLS 1.3 has only AEAD suites and is not configured by this list.
var aeadSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// hardened returns a copy of cfg that speaks TLS 1.2 or later, with AEAD suites only on
// TLS 1.2, whatever the caller set. Every listener of the server uses it.
func hardened(cfg *tls.Config) *tls.Config {
	if cfg == nil {
		return nil
	}
	c := cfg.Clone()
	c.MinVersion = max(c.MinVersion, tls.VersionTLS12)
	c.CipherSuites = aeadSuites
	return c
}
