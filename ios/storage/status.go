package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// StatusDue returns up to limit enabled enrolments that were never asked for their status
// or last at or before cutoff, those never asked first. Enrolments managed declaratively
// report their status by themselves and are never due.
func (s *Storage) StatusDue(ctx context.Context, cutoff time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.conn(ctx).Table("ios_enrollments").
		Where("enabled AND (status_queried_at IS NULL OR status_queried_at <= ?)", cutoff.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM ios_ddm_enrolments x WHERE x.enrollment_id = ios_enrollments.id)").
		Order("status_queried_at IS NOT NULL, status_queried_at, id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("enrolments due for a status query: %w", err)
	}
	return ids, nil
}

// MarkStatusQueried records, in the transaction that queued the queries, that the
// enrolments were asked for their status at.
func MarkStatusQueried(tx *gorm.DB, ids []string, at time.Time) error {
	for _, part := range chunks(ids) {
		if err := tx.Table("ios_enrollments").Where("id IN ?", part).Update("status_queried_at", at.UTC()).Error; err != nil {
			return fmt.Errorf("record status query: %w", err)
		}
	}
	return nil
}
