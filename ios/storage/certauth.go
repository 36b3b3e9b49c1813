package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/micromdm/nanomdm/mdm"
	"gorm.io/gorm"
)

// exists runs a query that returns a row or none.
func (s *Storage) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := s.conn(ctx).Raw(query, args...).Row().Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// HasCertHash reports whether the certificate has ever identified any enrolment.
func (s *Storage) HasCertHash(r *mdm.Request, hash string) (bool, error) {
	has, err := s.exists(r.Context(), `SELECT 1 FROM ios_cert_auth WHERE sha256 = ? LIMIT 1`, strings.ToLower(hash))
	if err != nil {
		return false, fmt.Errorf("look up certificate %s: %w", hash, err)
	}
	return has, nil
}

// EnrollmentHasCertHash reports whether any certificate has identified the enrolment.
func (s *Storage) EnrollmentHasCertHash(r *mdm.Request, _ string) (bool, error) {
	has, err := s.exists(r.Context(), `SELECT 1 FROM ios_cert_auth WHERE id = ? LIMIT 1`, r.ID)
	if err != nil {
		return false, fmt.Errorf("look up certificates of %s: %w", r.ID, err)
	}
	return has, nil
}

// AssociateCertHash makes the certificate the one that identifies the enrolment. Earlier
// certificates of the enrolment stop authenticating it but stay recorded, so that no other
// enrolment can take them over. Of two concurrent associations for one enrolment, the
// database lets one commit and fails the other.
func (s *Storage) AssociateCertHash(r *mdm.Request, hash string) error {
	hash = strings.ToLower(hash)
	err := s.conn(r.Context()).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE ios_cert_auth SET latest = FALSE WHERE id = ? AND sha256 <> ? AND latest`, r.ID, hash).Error; err != nil {
			return err
		}
		return tx.Exec(`INSERT INTO ios_cert_auth (id, sha256, latest, created_at) VALUES (?, ?, TRUE, ?)
ON CONFLICT (id, sha256) DO UPDATE SET latest = TRUE`, r.ID, hash, s.clock()).Error
	})
	if err != nil {
		return fmt.Errorf("associate certificate %s with %s: %w", hash, r.ID, err)
	}
	return nil
}

// EnrollmentFromHash returns the enrolment the certificate identifies now, or "".
func (s *Storage) EnrollmentFromHash(ctx context.Context, hash string) (string, error) {
	var id string
	err := s.conn(ctx).Raw(`SELECT id FROM ios_cert_auth WHERE sha256 = ? AND latest LIMIT 1`, strings.ToLower(hash)).Row().Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("enrolment of certificate %s: %w", hash, err)
	}
	return id, nil
}
