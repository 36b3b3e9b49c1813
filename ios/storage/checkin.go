package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/micromdm/nanomdm/mdm"
	nanostorage "github.com/micromdm/nanomdm/storage"
	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm/store"
)

// StoreAuthenticate records a device's Authenticate message: the start of a (new)
// enrolment. What belonged to the previous enrolment of the device — its TokenUpdate and
// bootstrap token — is forgotten. nanomdm clears the queue and disables the enrolment next.
func (s *Storage) StoreAuthenticate(r *mdm.Request, msg *mdm.Authenticate) error {
	if r.ParentID != "" {
		return nanostorage.ErrDeviceChannelOnly
	}
	err := s.conn(r.Context()).Exec(`INSERT INTO ios_devices (id, authenticate, authenticate_at) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET authenticate = excluded.authenticate, authenticate_at = excluded.authenticate_at,
    token_update = NULL, token_update_at = NULL, bootstrap_token = NULL, bootstrap_token_at = NULL`,
		r.ID, msg.Raw, s.clock()).Error
	if err != nil {
		return fmt.Errorf("store Authenticate of %s: %w", r.ID, err)
	}
	return nil
}

// StoreTokenUpdate records a TokenUpdate: the push data of a device or user channel. The
// first one after an Authenticate completes the enrolment and enables it; each one counts.
func (s *Storage) StoreTokenUpdate(r *mdm.Request, msg *mdm.TokenUpdate) error {
	if err := msg.Enrollment.Resolved().Validate(); err != nil {
		return fmt.Errorf("store TokenUpdate of %s: %w", r.ID, err)
	}
	if msg.Topic == "" || msg.PushMagic == "" || len(msg.Token) == 0 {
		return fmt.Errorf("store TokenUpdate of %s: topic, push magic or token missing", r.ID)
	}
	deviceID := r.ID
	if r.ParentID != "" {
		deviceID = r.ParentID
	}
	now := s.clock()
	err := s.tables.Atomic(r.Context(), func(dom *store.Tx) error {
		tx := dom.DB(r.Context())
		if r.ParentID != "" {
			err := tx.Exec(`INSERT INTO ios_users (id, device_id, user_short_name, user_long_name, token_update, token_update_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, user_short_name = excluded.user_short_name,
    user_long_name = excluded.user_long_name, token_update = excluded.token_update, token_update_at = excluded.token_update_at`,
				r.ID, deviceID, msg.UserShortName, msg.UserLongName, msg.Raw, now).Error
			if err != nil {
				return err
			}
		} else {
			res := tx.Exec(`UPDATE ios_devices SET token_update = ?, token_update_at = ? WHERE id = ?`, msg.Raw, now, r.ID)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return errors.New("the device has not authenticated")
			}
		}
		err := tx.Exec(`INSERT INTO ios_enrollments (id, device_id, type, topic, push_magic, push_token, enabled, token_update_tally, enrolled_at, last_seen_at)
VALUES (?, ?, ?, ?, ?, ?, TRUE, 1, ?, ?)
ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, type = excluded.type, topic = excluded.topic,
    push_magic = excluded.push_magic, push_token = excluded.push_token, enabled = TRUE,
    token_update_tally = ios_enrollments.token_update_tally + 1,
    enrolled_at = CASE WHEN ios_enrollments.token_update_tally = 0 THEN excluded.enrolled_at ELSE ios_enrollments.enrolled_at END,
    last_seen_at = excluded.last_seen_at`,
			r.ID, deviceID, r.Type.String(), msg.Topic, msg.PushMagic, []byte(msg.Token), now, now).Error
		if err != nil {
			return err
		}
		return visited(r.Context(), dom, now)
	})
	if err != nil {
		return fmt.Errorf("store TokenUpdate of %s: %w", r.ID, err)
	}
	return nil
}

// Disable marks the enrolment as not enrolled — for a device channel, its user channels
// too — resets its TokenUpdate count and clears its queue. nanomdm calls it after an
// Authenticate and on CheckOut.
func (s *Storage) Disable(r *mdm.Request) error {
	ch := channelsOf(r)
	var uuids []string
	err := s.tables.Atomic(r.Context(), func(dom *store.Tx) error {
		tx, now := dom.DB(r.Context()), s.clock()
		err := tx.Exec(`UPDATE ios_enrollments SET enabled = FALSE, token_update_tally = 0, last_seen_at = ? WHERE `+ch.column+` = ?`,
			now, ch.value).Error
		if err != nil {
			return err
		}
		if uuids, err = clearQueues(tx, ch); err != nil {
			return err
		}
		return visited(r.Context(), dom, now)
	})
	if err != nil {
		return fmt.Errorf("disable %s: %w", r.ID, err)
	}
	return s.dropOrphans(r.Context(), uuids)
}

// StoreUserAuthenticate records a user channel's UserAuthenticate message (the first, or
// the one with the digest response).
func (s *Storage) StoreUserAuthenticate(r *mdm.Request, msg *mdm.UserAuthenticate) error {
	if r.ParentID == "" {
		return fmt.Errorf("store UserAuthenticate of %s: not a user channel", r.ID)
	}
	column := "user_authenticate"
	if msg.DigestResponse != "" {
		column = "user_authenticate_digest"
	}
	err := s.conn(r.Context()).Exec(`INSERT INTO ios_users (id, device_id, user_short_name, user_long_name, `+column+`, `+column+`_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, user_short_name = excluded.user_short_name,
    user_long_name = excluded.user_long_name, `+column+` = excluded.`+column+`, `+column+`_at = excluded.`+column+`_at`,
		r.ID, r.ParentID, msg.UserShortName, msg.UserLongName, msg.Raw, s.clock()).Error
	if err != nil {
		return fmt.Errorf("store UserAuthenticate of %s: %w", r.ID, err)
	}
	return s.touch(r.Context(), r.ID)
}

// RetrieveTokenUpdateTally returns how many TokenUpdates the enrolment has sent since it
// last authenticated; 0 for an unknown enrolment.
func (s *Storage) RetrieveTokenUpdateTally(ctx context.Context, id string) (int, error) {
	var tally int
	err := s.conn(ctx).Raw(`SELECT token_update_tally FROM ios_enrollments WHERE id = ?`, id).Row().Scan(&tally)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("TokenUpdate tally of %s: %w", id, err)
	}
	return tally, nil
}

// touch records a visit of the enrolment for check-in messages that are written anyway,
// and the idle ones whose last-seen time is due: with the request's visitor, in one
// transaction with the domain's record of the contact.
func (s *Storage) touch(ctx context.Context, id string) error {
	const seen = `UPDATE ios_enrollments SET last_seen_at = ? WHERE id = ?`
	now := s.clock()
	var err error
	if hasVisitor(ctx) {
		err = s.tables.Atomic(ctx, func(tx *store.Tx) error {
			if err := tx.DB(ctx).Exec(seen, now, id).Error; err != nil {
				return err
			}
			return visited(ctx, tx, now)
		})
	} else {
		err = s.conn(ctx).Exec(seen, now, id).Error
	}
	// What is kept of the enrolment holds the time written before.
	s.kept.Forget(id)
	if err != nil {
		return fmt.Errorf("record visit of %s: %w", id, err)
	}
	return nil
}

// DeleteDevice removes everything stored for a device channel and its user channels —
// check-ins, queues, certificate associations — for when the domain deletes the device.
func (s *Storage) DeleteDevice(ctx context.Context, id string) error {
	var uuids []string
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if uuids, err = clearQueues(tx, channels{"device_id", id}); err != nil {
			return err
		}
		// Users and enrolments go with the device (ON DELETE CASCADE).
		if err := tx.Exec(`DELETE FROM ios_devices WHERE id = ?`, id).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM ios_cert_auth WHERE id = ?`, id).Error
	})
	if err != nil {
		return fmt.Errorf("delete device %s: %w", id, err)
	}
	return s.dropOrphans(ctx, uuids)
}
