package storage

import (
	"context"
	"fmt"

	"github.com/micromdm/nanomdm/mdm"
)

// RetrieveMigrationCheckins sends the Authenticate and TokenUpdate messages of every
// enrolled device channel, then the TokenUpdate messages of every enrolled user channel,
// decoded, to out (a message that does not decode is sent as its error). It stops when ctx
// is done.
func (s *Storage) RetrieveMigrationCheckins(ctx context.Context, out chan<- interface{}) error {
	queries := []string{
		`SELECT d.authenticate, d.token_update FROM ios_devices d JOIN ios_enrollments e ON e.id = d.id
WHERE e.enabled AND d.token_update IS NOT NULL ORDER BY d.id`,
		`SELECT u.token_update FROM ios_users u JOIN ios_enrollments e ON e.id = u.id
WHERE e.enabled AND u.token_update IS NOT NULL ORDER BY u.id`,
	}
	for _, query := range queries {
		if err := s.sendCheckins(ctx, query, out); err != nil {
			return fmt.Errorf("retrieve check-ins for migration: %w", err)
		}
	}
	return nil
}

// sendCheckins decodes and sends the raw check-in messages in every column of every row.
func (s *Storage) sendCheckins(ctx context.Context, query string, out chan<- interface{}) error {
	rows, err := s.conn(ctx).Raw(query).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		raws := make([][]byte, len(columns))
		dest := make([]any, len(columns))
		for i := range raws {
			dest[i] = &raws[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for _, raw := range raws {
			var msg interface{}
			if msg, err = mdm.DecodeCheckin(raw); err != nil {
				msg = err
			}
			select {
			case out <- msg:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return rows.Err()
}
