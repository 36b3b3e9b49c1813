package dep

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	depclient "github.com/micromdm/nanodep/client"
	"github.com/micromdm/nanodep/tokenpki"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/store"
)

// MaxTokenFile bounds an uploaded server token file; Apple's are a few kilobytes.
const MaxTokenFile = 64 << 10

// certificateDays is how long the certificate for Apple Business Manager is valid: it is
// needed only until the token is downloaded, and again to decrypt a renewed token.
const certificateDays = 365

// Token is what is known of a tenant's server token, never the token itself.
type Token struct {
	// Uploaded is false while only the certificate has been made.
	Uploaded   bool      `json:"uploaded"`
	ServerName string    `json:"server_name"`
	OrgName    string    `json:"organisation"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Expiring is set within ExpiryWarning before ExpiresAt, Expired after it.
	Expiring bool       `json:"expiring"`
	Expired  bool       `json:"expired"`
	SyncedAt *time.Time `json:"synced_at"`
	// Devices is how many devices the last sync found assigned to the server.
	Devices int `json:"devices"`
	// Problem is why the last sync failed; empty when it worked.
	Problem   string    `json:"problem"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ExpiryWarning is how long before its expiry a server token is shown as expiring: time
// to download a new one in Apple Business Manager.
const ExpiryWarning = 30 * 24 * time.Hour

// tokenRow is a tenant's row of ios_dep_tokens.
type tokenRow struct {
	TenantID     string `gorm:"primaryKey"`
	CertPEM      string
	SealedKey    []byte
	SealedTokens []byte
	ExpiresAt    *time.Time
	ServerName   string
	OrgName      string
	SyncCursor   string
	ProfileUUID  string `gorm:"column:profile_uuid"`
	Problem      string
	SyncedAt     *time.Time
	UpdatedAt    time.Time
}

func (tokenRow) TableName() string { return "ios_dep_tokens" }

// Certificate returns the certificate (PEM) IT uploads to Apple Business Manager as this
// MDM server's public key. The key pair is made on the first call and kept (its key
// sealed); a later call hands out the same certificate, so that a token downloaded with it
// can always be decrypted.
func (s *Service) Certificate(ctx context.Context, tenantID string) ([]byte, error) {
	var row tokenRow
	res := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Limit(1).Find(&row)
	if res.Error != nil {
		return nil, fmt.Errorf("the tenant's certificate for Apple Business Manager: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return []byte(row.CertPEM), nil
	}
	key, cert, err := tokenpki.SelfSignedRSAKeypair("trennwand "+tenantID, certificateDays)
	if err != nil {
		return nil, fmt.Errorf("make the key pair for Apple Business Manager: %w", err)
	}
	sealed, err := s.cfg.Sealer.Seal(keyPurpose(tenantID), x509.MarshalPKCS1PrivateKey(key))
	if err != nil {
		return nil, fmt.Errorf("seal the key for Apple Business Manager: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	row = tokenRow{TenantID: tenantID, CertPEM: string(certPEM), SealedKey: sealed, UpdatedAt: s.cfg.Now().UTC()}
	// Two administrators asking at once keep the first key pair.
	if err := s.db.WithContext(ctx).Exec(`INSERT INTO ios_dep_tokens (tenant_id, cert_pem, sealed_key, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant_id) DO NOTHING`, row.TenantID, row.CertPEM, row.SealedKey, row.UpdatedAt).Error; err != nil {
		return nil, fmt.Errorf("store the key pair for Apple Business Manager: %w", err)
	}
	return s.Certificate(ctx, tenantID)
}

// ParseTokenFile decrypts a server token file (.p7m) with the key pair and reads the OAuth
// tokens in it: the parser of the outside input, which refuses anything that is not a
// complete token.
func ParseTokenFile(file []byte, cert *x509.Certificate, key *rsa.PrivateKey) (depclient.OAuth1Tokens, error) {
	if len(file) == 0 || len(file) > MaxTokenFile {
		return depclient.OAuth1Tokens{}, fmt.Errorf("a server token file has 1 to %d bytes", MaxTokenFile)
	}
	plain, err := decrypt(file, cert, key)
	if err != nil {
		return depclient.OAuth1Tokens{}, err
	}
	var tok depclient.OAuth1Tokens
	if err := json.Unmarshal(plain, &tok); err != nil {
		return depclient.OAuth1Tokens{}, fmt.Errorf("the decrypted server token is not JSON: %w", err)
	}
	if !tok.Valid() {
		return depclient.OAuth1Tokens{}, errors.New("the server token lacks a consumer key, consumer secret, access token or access secret")
	}
	return tok, nil
}

// decrypt unwraps and decrypts the token file; the PKCS#7 parser panics on some malformed
// input, which is a malformed file like any other.
func decrypt(file []byte, cert *x509.Certificate, key *rsa.PrivateKey) (plain []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			plain, err = nil, fmt.Errorf("malformed server token file: %v", r)
		}
	}()
	plain, err = tokenpki.DecryptTokenJSON(file, cert, key)
	if err != nil {
		return nil, fmt.Errorf("the file is not a server token for this server's certificate: %w", err)
	}
	return plain, nil
}

// SetToken decrypts the server token file IT downloaded from Apple Business Manager with
// the tenant's key pair and makes it the tenant's token (sealed), replacing an older one,
// with its audit event and the device sync queued in the same transaction. A file that is
// not a token for the tenant's certificate, or an expired one, is refused (mdm.ErrInvalid)
// and nothing is written.
func (s *Service) SetToken(ctx context.Context, actor, tenantID string, file []byte) (Token, error) {
	row, err := s.row(ctx, tenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return Token{}, mdm.Refuse("refusal.dep_token.no_certificate",
			fmt.Errorf("%w: download the certificate for Apple Business Manager first, and the server token with it", mdm.ErrInvalid))
	} else if err != nil {
		return Token{}, err
	}
	cert, key, err := s.keyPair(row)
	if err != nil {
		return Token{}, err
	}
	tok, err := ParseTokenFile(file, cert, key)
	if err != nil {
		return Token{}, mdm.Refuse("refusal.dep_token.unreadable", fmt.Errorf("%w: %v", mdm.ErrInvalid, err))
	}
	now := s.cfg.Now().UTC().Truncate(time.Microsecond)
	if !tok.AccessTokenExpiry.IsZero() && !now.Before(tok.AccessTokenExpiry) {
		return Token{}, mdm.Refuse("refusal.dep_token.expired", fmt.Errorf("%w: the server token expired on %s; download a new one in Apple Business Manager",
			mdm.ErrInvalid, tok.AccessTokenExpiry.Format(time.DateOnly)), "Date", tok.AccessTokenExpiry.Format(time.DateOnly))
	}
	plain, err := json.Marshal(tok)
	if err != nil {
		return Token{}, err
	}
	sealed, err := s.cfg.Sealer.Seal(tokensPurpose(tenantID), plain)
	if err != nil {
		return Token{}, fmt.Errorf("seal the server token: %w", err)
	}
	var expires *time.Time
	if !tok.AccessTokenExpiry.IsZero() {
		e := tok.AccessTokenExpiry.UTC()
		expires = &e
	}
	err = s.tables.Atomic(ctx, func(dom *store.Tx) error {
		// A new token may belong to another server in Apple Business Manager: its devices
		// and cursor start afresh, and its profile is defined anew.
		err := dom.DB(ctx).Model(&tokenRow{}).Where("tenant_id = ?", tenantID).Updates(map[string]any{
			"sealed_tokens": sealed, "expires_at": expires, "sync_cursor": "", "profile_uuid": "", "problem": "", "updated_at": now}).Error
		if err != nil {
			return fmt.Errorf("store the server token: %w", err)
		}
		if err := s.record(ctx, dom, tenantID, audit.Record{Actor: actor, Action: audit.AppleDEPTokenSet,
			Subject: audit.Tenant.Of(tenantID), Details: audit.Fields(map[string]any{"expires_at": expires})}); err != nil {
			return err
		}
		return dom.EnqueueJob(ctx, SyncJob{TenantID: tenantID}, mdm.JobOptions{Unique: true})
	})
	if err != nil {
		return Token{}, err
	}
	return s.Token(ctx, tenantID)
}

// Token returns what is known of the tenant's server token; mdm.ErrNotFound when not even
// the certificate was made.
func (s *Service) Token(ctx context.Context, tenantID string) (Token, error) {
	row, err := s.row(ctx, tenantID)
	if err != nil {
		return Token{}, err
	}
	t := Token{Uploaded: len(row.SealedTokens) > 0, ServerName: row.ServerName, OrgName: row.OrgName,
		SyncedAt: row.SyncedAt, Problem: row.Problem, UpdatedAt: row.UpdatedAt}
	if row.ExpiresAt != nil {
		now := s.cfg.Now()
		t.ExpiresAt = *row.ExpiresAt
		t.Expired = !now.Before(t.ExpiresAt)
		t.Expiring = !t.Expired && now.Add(ExpiryWarning).After(t.ExpiresAt)
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Device{}).Where("tenant_id = ?", tenantID).Count(&n).Error; err != nil {
		return Token{}, fmt.Errorf("count the devices from Apple Business Manager: %w", err)
	}
	t.Devices = int(n)
	return t, nil
}

// RequestSync queues the tenant's device sync now: the job the hourly sync queues, so
// that a device just assigned in Apple Business Manager need not wait for the hour.
// A tenant without a server token is refused (mdm.ErrInvalid).
func (s *Service) RequestSync(ctx context.Context, tenantID string) error {
	if _, err := s.tokens(ctx, tenantID); errors.Is(err, mdm.ErrNotFound) {
		return mdm.Refuse("refusal.dep_token.none", fmt.Errorf("%w: upload the server token from Apple Business Manager first", mdm.ErrInvalid))
	} else if err != nil {
		return err
	}
	return s.tables.Atomic(ctx, func(dom *store.Tx) error {
		return dom.EnqueueJob(ctx, SyncJob{TenantID: tenantID}, mdm.JobOptions{Unique: true})
	})
}

// row reads the tenant's row; mdm.ErrNotFound when there is none.
func (s *Service) row(ctx context.Context, tenantID string) (tokenRow, error) {
	var row tokenRow
	err := s.db.WithContext(ctx).Where("tenant_id = ?", tenantID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return tokenRow{}, fmt.Errorf("the Automated Device Enrollment token of tenant %s: %w", tenantID, mdm.ErrNotFound)
	}
	return row, err
}

// keyPair opens the row's certificate and sealed key.
func (s *Service) keyPair(row tokenRow) (*x509.Certificate, *rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(row.CertPEM))
	if block == nil {
		return nil, nil, errors.New("the stored certificate for Apple Business Manager is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("the stored certificate for Apple Business Manager: %w", err)
	}
	der, err := s.cfg.Sealer.Open(keyPurpose(row.TenantID), row.SealedKey)
	if err != nil {
		return nil, nil, fmt.Errorf("open the key for Apple Business Manager: %w", err)
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, nil, fmt.Errorf("the key for Apple Business Manager: %w", err)
	}
	return cert, key, nil
}

// tokens opens the tenant's sealed OAuth tokens; mdm.ErrNotFound when none was uploaded.
func (s *Service) tokens(ctx context.Context, tenantID string) (*depclient.OAuth1Tokens, error) {
	row, err := s.row(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if len(row.SealedTokens) == 0 {
		return nil, fmt.Errorf("server token of tenant %s: %w", tenantID, mdm.ErrNotFound)
	}
	plain, err := s.cfg.Sealer.Open(tokensPurpose(tenantID), row.SealedTokens)
	if err != nil {
		return nil, fmt.Errorf("open the server token: %w", err)
	}
	var tok depclient.OAuth1Tokens
	if err := json.Unmarshal(plain, &tok); err != nil {
		return nil, fmt.Errorf("the stored server token: %w", err)
	}
	return &tok, nil
}
