package storage

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/micromdm/nanomdm/cryptoutil"
	"github.com/micromdm/nanomdm/mdm"
)

// RetrievePushInfo returns the push data of those of the enrolments that are enrolled;
// the others are left out, as nanomdm expects.
func (s *Storage) RetrievePushInfo(ctx context.Context, ids []string) (map[string]*mdm.Push, error) {
	out := make(map[string]*mdm.Push, len(ids))
	for _, part := range chunks(ids) {
		rows, err := s.conn(ctx).Raw(`SELECT id, topic, push_magic, push_token FROM ios_enrollments WHERE id IN ? AND enabled`, part).Rows()
		if err != nil {
			return nil, fmt.Errorf("retrieve push data: %w", err)
		}
		for rows.Next() {
			var id string
			var p mdm.Push
			if err := rows.Scan(&id, &p.Topic, &p.PushMagic, &p.Token); err != nil {
				rows.Close()
				return nil, fmt.Errorf("retrieve push data: %w", err)
			}
			out[id] = &p
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("retrieve push data: %w", err)
		}
	}
	return out, nil
}

// pushKeyPurpose binds a sealed push certificate key to its topic.
func pushKeyPurpose(topic string) string { return "ios push key " + topic }

// StorePushCert keeps an APNs push certificate and its key (sealed with the master key)
// under the certificate's topic, replacing an older one of the same topic.
func (s *Storage) StorePushCert(ctx context.Context, pemCert, pemKey []byte) error {
	if _, err := tls.X509KeyPair(pemCert, pemKey); err != nil {
		return fmt.Errorf("store push certificate: %w", err)
	}
	topic, err := cryptoutil.TopicFromPEMCert(pemCert)
	if err != nil {
		return fmt.Errorf("store push certificate: %w", err)
	}
	sealed, err := s.sealer.Seal(pushKeyPurpose(topic), pemKey)
	if err != nil {
		return fmt.Errorf("seal push key of %s: %w", topic, err)
	}
	err = s.conn(ctx).Exec(`INSERT INTO ios_push_certs (topic, cert_pem, key_pem, stale_token, updated_at) VALUES (?, ?, ?, 1, ?)
ON CONFLICT (topic) DO UPDATE SET cert_pem = excluded.cert_pem, key_pem = excluded.key_pem,
    stale_token = ios_push_certs.stale_token + 1, updated_at = excluded.updated_at`,
		topic, pemCert, sealed, s.clock()).Error
	if err != nil {
		return fmt.Errorf("store push certificate of %s: %w", topic, err)
	}
	return nil
}

// RetrievePushCert returns the push certificate of the topic and a token that
// IsPushCertStale compares with the stored one.
func (s *Storage) RetrievePushCert(ctx context.Context, topic string) (*tls.Certificate, string, error) {
	var certPEM, sealed []byte
	var stale int64
	err := s.conn(ctx).Raw(`SELECT cert_pem, key_pem, stale_token FROM ios_push_certs WHERE topic = ?`, topic).Row().Scan(&certPEM, &sealed, &stale)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", fmt.Errorf("no push certificate for topic %s", topic)
	} else if err != nil {
		return nil, "", fmt.Errorf("retrieve push certificate of %s: %w", topic, err)
	}
	keyPEM, err := s.sealer.Open(pushKeyPurpose(topic), sealed)
	if err != nil {
		return nil, "", fmt.Errorf("open push key of %s: %w", topic, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, "", fmt.Errorf("push certificate of %s: %w", topic, err)
	}
	return &cert, strconv.FormatInt(stale, 10), nil
}

// IsPushCertStale reports whether the topic's certificate has been replaced since
// RetrievePushCert returned staleToken.
func (s *Storage) IsPushCertStale(ctx context.Context, topic, staleToken string) (bool, error) {
	var stale int64
	err := s.conn(ctx).Raw(`SELECT stale_token FROM ios_push_certs WHERE topic = ?`, topic).Row().Scan(&stale)
	if errors.Is(err, sql.ErrNoRows) {
		return true, fmt.Errorf("no push certificate for topic %s", topic)
	} else if err != nil {
		return true, fmt.Errorf("check push certificate of %s: %w", topic, err)
	}
	return strconv.FormatInt(stale, 10) != staleToken, nil
}
