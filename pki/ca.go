package pki

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/smallstep/certificates/authority"
	"github.com/smallstep/certificates/authority/config"
	"github.com/smallstep/certificates/authority/provisioner"
	"github.com/smallstep/linkedca"
	"github.com/smallstep/pkcs7"
	"gorm.io/gorm"
)

// CA is the installation's certificate authority: step's authority embedded as a library,
// with its keys sealed in the installation's database and its certificates, revocations
// and CRL stored there too, so that every replica issues and revokes alike.
type CA struct {
	cfg      Config
	db       *gorm.DB
	log      *slog.Logger
	now      func() time.Time
	material *material
	auth     *authority.Authority
	store    *authDB
	chains   chainCache // device certificates whose chain is checked
	close    sync.Once
}

// Config says how the CA issues.
type Config struct {
	// Name appears in the CA's certificate names, for example the public host.
	Name string
	// PublicURL is where devices and relying parties reach the server: the SCEP URL and
	// the CRL distribution point are under it.
	PublicURL *url.URL
	// DeviceValidity is how long a device certificate is valid; zero means one year.
	DeviceValidity time.Duration
	// ChallengeValidity is how long a SCEP challenge can be used; zero means one hour.
	ChallengeValidity time.Duration
	// CRLValidity is how long a published CRL is valid; it is regenerated after two thirds
	// of it and on every revocation. Zero means one day.
	CRLValidity time.Duration
	Log         *slog.Logger
	Now         func() time.Time
	// OnSCEP, if set, is told of every SCEP certificate request: issued, or refused for
	// one of the reasons SCEPMalformed, SCEPChallenge, SCEPPolicy.
	OnSCEP func(issued bool, reason string)
	// Revocations, if set, keeps in memory whether device certificates are revoked, so
	// that a phone's request needs no database read for it (see RevocationMemo).
	Revocations RevocationMemo
}

// RevocationMemo keeps in memory which certificates are revoked, for as long as nothing
// changes that: Load answers from memory or from read, Forget drops a certificate's
// answer on this server, and Record writes, in the transaction that stores a revocation,
// the change that drops it on every other server.
type RevocationMemo interface {
	Load(serial string, read func() (bool, error)) (bool, error)
	Forget(serial string)
	Record(tx *gorm.DB, serial string) error
}

// SCEPProvisioner is the name of the SCEP endpoint: /scep/devices.
const SCEPProvisioner = "devices"

// Open loads the installation's CA from the database, creating it on first use, and
// starts step's authority on it. Close stops it.
func Open(ctx context.Context, db *gorm.DB, sealer Sealer, cfg Config) (*CA, error) {
	if cfg.PublicURL == nil {
		return nil, errors.New("pki: a public URL is needed for the SCEP and CRL addresses")
	}
	if cfg.DeviceValidity == 0 {
		cfg.DeviceValidity = 365 * 24 * time.Hour
	}
	if cfg.DeviceValidity < time.Hour {
		return nil, fmt.Errorf("pki: device certificate validity %s is shorter than an hour", cfg.DeviceValidity)
	}
	if cfg.ChallengeValidity == 0 {
		cfg.ChallengeValidity = DefaultChallengeValidity
	}
	if cfg.CRLValidity == 0 {
		cfg.CRLValidity = 24 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m, err := loadOrCreateMaterial(ctx, db, sealer, cfg.Name, cfg.Now())
	if err != nil {
		return nil, err
	}
	ca := &CA{cfg: cfg, db: db, log: cfg.Log, now: cfg.Now, material: m.pools(), chains: newChainCache()}
	ca.store = &authDB{db: db, now: cfg.Now, memo: cfg.Revocations}
	if err := ca.startAuthority(); err != nil {
		return nil, err
	}
	return ca, nil
}

func (ca *CA) startAuthority() error {
	hookSecret := make([]byte, 32)
	_, _ = rand.Read(hookSecret)
	raKeyDER, err := x509.MarshalPKCS8PrivateKey(ca.material.raKey)
	if err != nil {
		return err
	}
	scep := &provisioner.SCEP{
		Type: provisioner.TypeSCEP.String(),
		Name: SCEPProvisioner,
		// The certificate is chosen by the webhook's answer, not by what the device asks for.
		Options: &provisioner.Options{
			Webhooks: []*provisioner.Webhook{{
				ID: "challenge", Name: "challenge", URL: "https://challenge.trennwand.invalid/",
				Kind: linkedca.Webhook_SCEPCHALLENGE.String(), CertType: linkedca.Webhook_X509.String(),
				Secret: base64.StdEncoding.EncodeToString(hookSecret),
			}},
			X509: &provisioner.X509Options{Template: ca.deviceTemplate()},
		},
		MinimumPublicKeyLength:        2048,
		DecrypterCertificate:          pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.material.ra.Raw}),
		DecrypterKeyPEM:               pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: raKeyDER}),
		EncryptionAlgorithmIdentifier: pkcs7.EncryptionAlgorithmAES256CBC,
		Claims: &provisioner.Claims{
			MinTLSDur:                  &provisioner.Duration{Duration: time.Hour},
			DefaultTLSDur:              &provisioner.Duration{Duration: ca.cfg.DeviceValidity},
			MaxTLSDur:                  &provisioner.Duration{Duration: ca.cfg.DeviceValidity},
			DisableSmallstepExtensions: new(true),
		},
	}
	cfg := &config.Config{
		AuthorityConfig: &config.AuthConfig{Provisioners: provisioner.List{scep}},
		CRL: &config.CRLConfig{
			Enabled:          true,
			GenerateOnRevoke: true,
			CacheDuration:    &provisioner.Duration{Duration: ca.cfg.CRLValidity},
			IDPurl:           ca.CRLURL(),
		},
	}
	auth, err := authority.NewEmbedded(
		authority.WithConfig(cfg),
		authority.WithX509RootCerts(ca.material.root),
		authority.WithX509Signer(ca.material.intermediate, ca.material.intermediateKey),
		authority.WithDatabase(ca.store),
		authority.WithWebhookClient(challengeHook{ca: ca, secret: hookSecret}),
		authority.WithQuietInit(),
	)
	if err != nil {
		return fmt.Errorf("start CA: %w", err)
	}
	// A provisioner that fails to start does not fail the authority; it would answer
	// every SCEP request with an error. Refuse to run instead.
	if p, err := auth.LoadProvisionerByName(SCEPProvisioner); err != nil {
		auth.Shutdown()
		return fmt.Errorf("start SCEP: %w", err)
	} else if _, ok := p.(*provisioner.SCEP); !ok {
		auth.Shutdown()
		return errors.New("start SCEP: the provisioner did not initialise")
	}
	ca.auth = auth
	return nil
}

// deviceTemplate is the X.509 template of device certificates: the enrolment's identity
// from the challenge (never what the device asks for), client authentication — and, for a
// work mail account's certificate, e-mail protection besides, the marker PurposeOf reads
// — and where to find the CRL.
func (ca *CA) deviceTemplate() string {
	crl, _ := json.Marshal(ca.CRLURL())
	return `{
	{{- if not .Webhooks.challenge.uri }}{{ fail "no enrolment for this challenge" }}{{ end }}
	"subject": {"commonName": {{ toJson .Webhooks.challenge.cn }}, "organizationalUnit": [{{ toJson .Webhooks.challenge.org }}], "organization": ["trennwand"]},
	"uris": [{{ toJson .Webhooks.challenge.uri }}],
	"keyUsage": ["digitalSignature", "keyEncipherment"],
	"extKeyUsage": [{{ if eq .Webhooks.challenge.purpose "` + string(PurposeMail) + `" }}"clientAuth", "emailProtection"{{ else }}"clientAuth"{{ end }}],
	"crlDistributionPoints": [` + string(crl) + `]
}`
}

// Close stops the authority's background CRL renewal.
func (ca *CA) Close() {
	ca.close.Do(func() { _ = ca.auth.Shutdown() })
}

// CRLURL is where the CRL is published.
func (ca *CA) CRLURL() string { return ca.cfg.PublicURL.JoinPath("/pki/crl").String() }

// SCEPURL is the SCEP endpoint devices enrol at.
func (ca *CA) SCEPURL() string { return ca.cfg.PublicURL.JoinPath("/scep", SCEPProvisioner).String() }

// Root returns the root certificate.
func (ca *CA) Root() *x509.Certificate { return ca.material.root }

// Intermediate returns the certificate that issues device and server certificates.
func (ca *CA) Intermediate() *x509.Certificate { return ca.material.intermediate }

// CAPEM returns the root and the issuing intermediate in PEM, for /pki/ca.pem.
func (ca *CA) CAPEM() []byte {
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.material.root.Raw})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.material.intermediate.Raw})...)
}
