package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/trennwand/trennwand/mdm"
)

// insert stores a new row.
func (s *Store) insert(ctx context.Context, row any) error {
	return translate(s.db.WithContext(ctx).Create(row).Error)
}

// byID returns the tenant's row of type T with the ID, or mdm.ErrNotFound.
func byID[T any](ctx context.Context, s *Store, tenantID, id string) (T, error) {
	return first[T](s.scoped(ctx, tenantID).Where("id = ?", id))
}

// first returns the one row of type T that q selects, or mdm.ErrNotFound.
func first[T any](q *gorm.DB) (T, error) {
	var row T
	err := q.Take(&row).Error
	return row, translate(err)
}

// affectedOne turns an update of one row by ID into the domain's errors: no row means the
// row does not exist in the tenant.
func affectedOne(res *gorm.DB) error {
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return mdm.ErrNotFound
	}
	return nil
}

// transition moves the row id of model from state `from` to `to` in one conditional
// update, so that of two concurrent transitions exactly one succeeds. It tells a row that
// is missing from one that is in another state.
func (s *Store) transition(ctx context.Context, model any, tenantID, id, from, to string, set map[string]any) error {
	res := s.scoped(ctx, tenantID).Model(model).Where("id = ? AND state = ?", id, from).Updates(set)
	if err := translate(res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var state string
	err := s.scoped(ctx, tenantID).Model(model).Where("id = ?", id).Select("state").Take(&state).Error
	if err != nil {
		return translate(err)
	}
	return fmt.Errorf("%w: it is %s, not %s", mdm.ErrConflict, state, from)
}
