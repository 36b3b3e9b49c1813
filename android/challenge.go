package android

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/pki"
)

// The companion app's request for a SCEP challenge: POST PathCertificateChallenge with
// the work policy's bootstrap secret as bearer token, and in a JSON body the work
// profile's enrolment-specific ID and the SHA-256 of the public key it will certify
// (certificate_keys.go).

// MaxChallengeRequestBytes bounds the body of a challenge request.
const MaxChallengeRequestBytes = 4 << 10

// ChallengeRequest is a companion app's request, decoded and checked.
type ChallengeRequest struct {
	// EnterpriseSpecificID is the work profile's enrolment-specific ID.
	EnterpriseSpecificID string
	// KeyFingerprint is the SHA-256 of the DER SubjectPublicKeyInfo of the key the app
	// puts into its certificate request, as 64 lower-case hex digits.
	KeyFingerprint string
}

// ChallengeAnswer is what the companion app gets: a one-time challenge for its device.
type ChallengeAnswer struct {
	Challenge string    `json:"challenge"`
	SCEPURL   string    `json:"scep_url"`
	KeyAlias  string    `json:"key_alias"`
	ExpiresAt time.Time `json:"expires_at"`
}

// enterpriseIDPattern is what an enrolment-specific ID may look like: Android makes it
// from a hash, written with letters and digits.
var enterpriseIDPattern = regexp.MustCompile(`^[A-Za-z0-9+/=_-]{8,128}$`)

// keyFingerprintPattern is a SHA-256 in hex, as the companion app writes it.
var keyFingerprintPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// DecodeChallengeRequest decodes and checks the body of a challenge request: one JSON
// object with exactly the fields enterpriseSpecificId and keyFingerprint; anything else is
// mdm.ErrInvalid.
func DecodeChallengeRequest(body []byte) (ChallengeRequest, error) {
	var w struct {
		EnterpriseSpecificID string `json:"enterpriseSpecificId"`
		KeyFingerprint       string `json:"keyFingerprint"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return ChallengeRequest{}, fmt.Errorf("%w: the body is not a challenge request", mdm.ErrInvalid)
	}
	if dec.More() {
		return ChallengeRequest{}, fmt.Errorf("%w: more than one JSON value", mdm.ErrInvalid)
	}
	if !enterpriseIDPattern.MatchString(w.EnterpriseSpecificID) {
		return ChallengeRequest{}, fmt.Errorf("%w: enterpriseSpecificId", mdm.ErrInvalid)
	}
	if !keyFingerprintPattern.MatchString(w.KeyFingerprint) {
		return ChallengeRequest{}, fmt.Errorf("%w: keyFingerprint must be the SHA-256 of the public key, 64 lower-case hex digits", mdm.ErrInvalid)
	}
	return ChallengeRequest(w), nil
}

// errWithheld means the device's certificate was revoked for a compliance rule it still
// breaks: it gets a new one once it complies again.
var errWithheld = errors.New("the device breaks a compliance rule of its work policy; it gets a new certificate once it complies")

// errUnknownBootstrap means a challenge request came with a secret of no work policy.
var errUnknownBootstrap = errors.New("unknown bootstrap secret")

// serveCertificateChallenge answers the companion app. No bearer secret is 401, an unknown
// one 403 (both before the body is read), a malformed body 400, an ID that names no active
// device of the secret's work policy 404 (counted against the client like a wrong
// invitation code: 429 once it has used up its guesses); nothing is written then. A key
// other than the device's is 409, recorded as a security event.
func (p *Platform) serveCertificateChallenge(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || secret == "" {
		http.Error(w, "the request lacks the bootstrap secret (Authorization: Bearer)", http.StatusUnauthorized)
		return
	}
	boot, err := p.bootstrap(r.Context(), hashSecret(secret))
	switch {
	case errors.Is(err, errUnknownBootstrap):
		http.Error(w, "unknown bootstrap secret", http.StatusForbidden)
		return
	case err != nil:
		p.fail(w, "look up bootstrap secret", err)
		return
	}
	body, ok := readBody(w, r, MaxChallengeRequestBytes)
	if !ok {
		return
	}
	req, err := DecodeChallengeRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var answer ChallengeAnswer
	err = p.svc.Enrolment.LimitGuesses(r.Context(), p.cfg.ClientAddr(r), func() (err error) {
		answer, err = p.certificateChallenge(r.Context(), boot, req)
		return err
	})
	switch {
	case errors.Is(err, enrolment.ErrTooManyGuesses):
		w.Header().Set("Retry-After", fmt.Sprint(int(enrolment.GuessWindow.Seconds())))
		http.Error(w, "too many unknown work profiles from this address; wait a few minutes", http.StatusTooManyRequests)
		return
	case errors.Is(err, mdm.ErrNotFound):
		http.Error(w, "no active work profile with this enterpriseSpecificId", http.StatusNotFound)
		return
	case errors.Is(err, errOtherKey):
		http.Error(w, errOtherKey.Error(), http.StatusConflict)
		return
	case errors.Is(err, errWithheld):
		http.Error(w, errWithheld.Error(), http.StatusForbidden)
		return
	case err != nil:
		p.fail(w, "make certificate challenge", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(answer)
}

// bootstrapped is a bootstrap secret found, with its tenant's certificate settings.
type bootstrapped struct {
	bootstrapSecret
	settings certificateSettings
}

// bootstrap finds the work policy whose bootstrap secret has the hash, in a tenant that
// has certificates on; errUnknownBootstrap for none.
func (p *Platform) bootstrap(ctx context.Context, secretHash []byte) (bootstrapped, error) {
	if p.cfg.Challenges == nil {
		return bootstrapped{}, errUnknownBootstrap
	}
	boot, err := first[bootstrapSecret](ctx, p.db, "secret_hash = ?", secretHash)
	if errors.Is(err, mdm.ErrNotFound) {
		return bootstrapped{}, errUnknownBootstrap
	}
	if err != nil {
		return bootstrapped{}, fmt.Errorf("look up bootstrap secret: %w", err)
	}
	settings, err := first[certificateSettings](ctx, p.db, "tenant_id = ?", boot.TenantID)
	if errors.Is(err, mdm.ErrNotFound) {
		return bootstrapped{}, errUnknownBootstrap
	}
	if err != nil {
		return bootstrapped{}, fmt.Errorf("read certificate settings: %w", err)
	}
	return bootstrapped{bootstrapSecret: boot, settings: settings}, nil
}

// certificateChallenge makes a one-time SCEP challenge for the work profile the request
// names, if it is an active device of the bootstrap secret's work policy.
func (p *Platform) certificateChallenge(ctx context.Context, boot bootstrapped, req ChallengeRequest) (ChallengeAnswer, error) {
	settings := boot.settings
	d, err := p.deviceByEnterpriseID(ctx, boot.TenantID, req.EnterpriseSpecificID)
	if err != nil {
		return ChallengeAnswer{}, err
	}
	policyID := "" // the baseline policy's
	if d.WorkPolicyID != nil {
		policyID = *d.WorkPolicyID
	}
	if d.State != mdm.DeviceActive || policyID != boot.WorkPolicyID {
		return ChallengeAnswer{}, fmt.Errorf("%w: device %s is not an active device of the work policy", mdm.ErrNotFound, d.ID)
	}
	withheld, err := p.svc.Compliance.CertificatesWithheld(ctx, d.TenantID, d.ID)
	if err != nil {
		return ChallengeAnswer{}, err
	}
	if withheld {
		return ChallengeAnswer{}, errWithheld
	}
	if err := p.bindKey(ctx, d, req.KeyFingerprint); err != nil {
		return ChallengeAnswer{}, err
	}
	ch, err := p.cfg.Challenges.NewChallenge(ctx, pki.Identity{TenantID: d.TenantID, EnrolmentID: d.ID})
	if err != nil {
		return ChallengeAnswer{}, err
	}
	err = p.svc.Record(ctx, d.TenantID, audit.Record{Actor: "device:" + d.ID, Action: audit.CertificateChallenge,
		Subject: audit.Device.Of(d.ID), Details: audit.Fields(map[string]any{"expires_at": ch.ExpiresAt, "via": "android companion"})})
	if err != nil {
		return ChallengeAnswer{}, err
	}
	return ChallengeAnswer{Challenge: ch.Secret, SCEPURL: p.cfg.Challenges.SCEPURL(), KeyAlias: settings.KeyAlias, ExpiresAt: ch.ExpiresAt}, nil
}

// enterpriseID ties a work profile's enrolment-specific ID to the tenant's device.
type enterpriseID struct {
	TenantID             string `gorm:"primaryKey"`
	EnterpriseSpecificID string `gorm:"primaryKey;column:enterprise_specific_id"`
	DeviceID             string
}

func (enterpriseID) TableName() string { return "android_enterprise_ids" }

// recordEnterpriseID keeps the enrolment-specific ID a new work profile reported; the
// same phone enrolled again (it keeps the ID across resets) names its new device.
func (p *Platform) recordEnterpriseID(ctx context.Context, tenantID, deviceID, id string) error {
	if id == "" {
		return nil
	}
	row := enterpriseID{TenantID: tenantID, EnterpriseSpecificID: id, DeviceID: deviceID}
	err := p.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "tenant_id"}, {Name: "enterprise_specific_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"device_id"})}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("record enterprise-specific ID of device %s: %w", deviceID, err)
	}
	return nil
}

// deviceByEnterpriseID returns the tenant's device with the enrolment-specific ID, or
// mdm.ErrNotFound.
func (p *Platform) deviceByEnterpriseID(ctx context.Context, tenantID, id string) (mdm.Device, error) {
	row, err := first[enterpriseID](ctx, p.db, "tenant_id = ? AND enterprise_specific_id = ?", tenantID, id)
	if err != nil {
		return mdm.Device{}, err
	}
	return p.svc.Device(ctx, tenantID, row.DeviceID)
}
