package pki

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/smallstep/certificates/webhook"
	"gorm.io/gorm/clause"
)

// DefaultChallengeValidity is how long a SCEP challenge can be used.
const DefaultChallengeValidity = time.Hour

// challengeRow is one one-time SCEP challenge; only its hash is kept.
type challengeRow struct {
	Hash          []byte `gorm:"primaryKey"`
	TenantID      string
	EnrolmentID   string
	TransactionID string
	// Purpose is what the certificate the challenge gets is for (Purpose).
	Purpose   string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (challengeRow) TableName() string { return "pki_challenges" }

// Challenge is a one-time password for one SCEP request of one enrolment. The secret is
// shown once; the database keeps only its hash.
type Challenge struct {
	Secret    string
	ExpiresAt time.Time
}

func hashChallenge(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// NewChallenge makes a challenge for a device certificate of the enrolment (an iPhone's
// MDM identity, an Android work profile's certificate), valid for the CA's challenge
// validity.
func (ca *CA) NewChallenge(ctx context.Context, id Identity) (Challenge, error) {
	return ca.newChallenge(ctx, id, PurposeDevice)
}

// NewMailChallenge makes a challenge for the certificate the enrolment's work mail account
// signs in with: it names the enrolment like the device's own, so that the device's
// removal revokes it too, but carries the mail marker (PurposeMail), so that it is never
// taken as the device's identity.
func (ca *CA) NewMailChallenge(ctx context.Context, id Identity) (Challenge, error) {
	return ca.newChallenge(ctx, id, PurposeMail)
}

func (ca *CA) newChallenge(ctx context.Context, id Identity, purpose Purpose) (Challenge, error) {
	if err := id.Validate(); err != nil {
		return Challenge{}, err
	}
	raw := make([]byte, 20)
	_, _ = rand.Read(raw)
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	now := ca.now().UTC().Truncate(time.Microsecond)
	row := challengeRow{Hash: hashChallenge(secret), TenantID: id.TenantID, EnrolmentID: id.EnrolmentID, Purpose: string(purpose),
		ExpiresAt: now.Add(ca.cfg.ChallengeValidity), CreatedAt: now}
	if err := ca.db.WithContext(ctx).Create(&row).Error; err != nil {
		return Challenge{}, fmt.Errorf("store challenge: %w", err)
	}
	return Challenge{Secret: secret, ExpiresAt: row.ExpiresAt}, nil
}

// redeem uses a challenge for a SCEP transaction and returns the enrolment it is bound to
// and the purpose of the certificate it gets. A challenge works once: for the first
// transaction that presents it before it expires, and again only for that same
// transaction and key (a device retrying its request).
func (ca *CA) redeem(ctx context.Context, secret, transactionID string) (Identity, Purpose, bool) {
	if secret == "" || transactionID == "" {
		return Identity{}, "", false
	}
	now := ca.now().UTC()
	// One statement redeems and reads: no transaction, one round trip, the shortest hold of
	// SQLite's write lock.
	var rows []challengeRow
	err := ca.db.WithContext(ctx).Model(&rows).Clauses(clause.Returning{Columns: []clause.Column{{Name: "tenant_id"}, {Name: "enrolment_id"}, {Name: "purpose"}}}).
		Where("hash = ? AND expires_at > ? AND (used_at IS NULL OR transaction_id = ?)", hashChallenge(secret), now, transactionID).
		Updates(map[string]any{"used_at": now, "transaction_id": transactionID}).Error
	if err != nil || len(rows) != 1 {
		return Identity{}, "", false
	}
	return Identity{TenantID: rows[0].TenantID, EnrolmentID: rows[0].EnrolmentID}, Purpose(rows[0].Purpose), true
}

// retryKey names a SCEP request's transaction for the retry rule of redeem. The transaction
// ID is whatever the client wrote, so the hash of the requested public key is bound to it:
// a retry must ask for the same key, or anyone who learnt a used challenge and its
// transaction ID could get certificates for keys of their own. Empty when either is missing.
func retryKey(rb webhook.RequestBody) string {
	if rb.SCEPTransactionID == "" || rb.X509CertificateRequest == nil || len(rb.X509CertificateRequest.PublicKey) == 0 {
		return ""
	}
	sum := sha256.Sum256(rb.X509CertificateRequest.PublicKey)
	return rb.SCEPTransactionID + " " + hex.EncodeToString(sum[:])
}

// challengeHook answers the authority's SCEPCHALLENGE webhook in process: the authority
// posts the challenge and transaction of each SCEP request, and the answer says whether to
// issue and for which enrolment. It stands in for step's HTTP client, so nothing leaves the
// process.
type challengeHook struct {
	ca     *CA
	secret []byte // the HMAC key step signs its webhook requests with
}

// Get is part of step's HTTP client interface; the CA never fetches anything.
func (h challengeHook) Get(url string) (*http.Response, error) {
	return nil, fmt.Errorf("pki: no outside requests (%s)", url)
}

// Do answers one webhook request.
func (h challengeHook) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	sig, err := hex.DecodeString(req.Header.Get("X-Smallstep-Signature"))
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, errors.New("pki: webhook request with a wrong signature")
	}
	var rb webhook.RequestBody
	if err := json.Unmarshal(body, &rb); err != nil {
		return nil, fmt.Errorf("pki: webhook request: %w", err)
	}
	answer := webhook.ResponseBody{}
	if id, purpose, ok := h.ca.redeem(req.Context(), rb.SCEPChallenge, retryKey(rb)); ok {
		answer.Allow = true
		answer.Data = map[string]string{"cn": id.EnrolmentID, "org": id.TenantID, "uri": id.URI(), "purpose": string(purpose)}
	} else {
		refuseChallenge(req.Context())
		h.ca.log.Info("SCEP request refused: challenge unknown, expired or used", "transaction", rb.SCEPTransactionID)
	}
	out, err := json.Marshal(answer)
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(out)), ContentLength: int64(len(out)), Request: req,
	}, nil
}
