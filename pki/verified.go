package pki

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// verifiedChains is how many device certificates the CA remembers as chaining to it.
// Every MDM request of a phone carries its certificate; building and checking its chain
// again each time was a fifth of the server's work on an Idle check-in. What a chain check
// finds never changes for a certificate (its issuer and signature are fixed), so a
// remembered answer is as good as a new one; validity in time and revocation are checked
// on every request.
const verifiedChains = 20_000

// chainCache remembers the certificates whose chain to this CA's root has been checked.
type chainCache struct {
	seen *lru.Cache[[sha256.Size]byte, struct{}]
}

func newChainCache() chainCache {
	seen, err := lru.New[[sha256.Size]byte, struct{}](verifiedChains)
	if err != nil {
		panic(err) // only for a size below one
	}
	return chainCache{seen: seen}
}

// verify checks that cert is valid at now and, unless it was checked before, that it
// chains to the CA's root for client authentication.
func (c chainCache) verify(m *material, cert *x509.Certificate, now time.Time) error {
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return fmt.Errorf("the certificate is valid from %s to %s, not now", cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	key := sha256.Sum256(cert.Raw)
	if _, ok := c.seen.Get(key); ok {
		return nil
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: m.roots, Intermediates: m.intermediates, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return err
	}
	c.seen.Add(key, struct{}{})
	return nil
}
