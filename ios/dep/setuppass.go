package dep

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/store"
)

// SetupPassTTL is how long the sign-in form of a bought device's Setup Assistant may be
// filled in: time to find the invitation letter and type its code.
const SetupPassTTL = 15 * time.Minute

// maxSetupPass bounds a pass read from a form; the server's have 43 characters.
const maxSetupPass = 64

// setupPass is a row of ios_dep_setup_passes.
type setupPass struct {
	PassHash     string `gorm:"primaryKey"`
	TenantID     string
	SerialNumber string
	ExpiresAt    time.Time
}

func (setupPass) TableName() string { return "ios_dep_setup_passes" }

// IssueSetupPass returns a new one-time pass (256 random bits) for the sign-in form of the
// tenant's bought device with the serial number, which the server has just believed from
// the device's signed information; only its hash is kept. The tenant's expired passes go
// in the same step.
func (s *Service) IssueSetupPass(ctx context.Context, tenantID, serial string) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	pass := base64.RawURLEncoding.EncodeToString(raw)
	now := s.cfg.Now().UTC()
	err := s.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		if err := tx.Where("tenant_id = ? AND expires_at <= ?", tenantID, now).Delete(&setupPass{}).Error; err != nil {
			return fmt.Errorf("forget expired passes: %w", err)
		}
		return tx.Create(&setupPass{PassHash: passHash(pass), TenantID: tenantID, SerialNumber: serial, ExpiresAt: now.Add(SetupPassTTL)}).Error
	})
	if err != nil {
		return "", fmt.Errorf("issue the pass of a bought device's sign-in: %w", err)
	}
	return pass, nil
}

// RedeemSetupPass uses up the pass and returns the serial number it was issued for;
// mdm.ErrNotFound for a pass that is unknown, used already, expired or another tenant's.
// Of two requests with one pass, one wins.
func (s *Service) RedeemSetupPass(ctx context.Context, tenantID, pass string) (string, error) {
	if pass == "" || len(pass) > maxSetupPass {
		return "", fmt.Errorf("the sign-in form's pass: %w", mdm.ErrNotFound)
	}
	now := s.cfg.Now().UTC()
	var serial string
	err := s.tables.Atomic(ctx, func(dom *store.Tx) error {
		tx := dom.DB(ctx)
		var row setupPass
		res := tx.Where("pass_hash = ? AND tenant_id = ?", passHash(pass), tenantID).Limit(1).Find(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("the sign-in form's pass: %w", mdm.ErrNotFound)
		}
		del := tx.Where("pass_hash = ?", row.PassHash).Delete(&setupPass{})
		if del.Error != nil {
			return del.Error
		}
		if del.RowsAffected != 1 || !now.Before(row.ExpiresAt) {
			return fmt.Errorf("the sign-in form's pass: %w", mdm.ErrNotFound)
		}
		serial = row.SerialNumber
		return nil
	})
	return serial, err
}

func passHash(pass string) string {
	sum := sha256.Sum256([]byte(pass))
	return hex.EncodeToString(sum[:])
}
