package storage

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// UnusedSetAfter is how long a declaration set no enrolment follows is kept. A set is
// stamped whenever it is assigned, and only sets stamped longer ago are dropped, so that a
// set being assigned in one transaction is never dropped by another's clean-up.
const UnusedSetAfter = time.Hour

// DropUnusedSets deletes the tenant's declaration sets (ios/ddm) that no enrolment follows
// and that were last assigned before `before`: after a set is assigned, and when devices
// are forgotten, since a set with a work mail account names its employee.
func DropUnusedSets(db *gorm.DB, tenantID string, before time.Time) error {
	err := db.Exec(`DELETE FROM ios_ddm_sets WHERE tenant_id = ? AND created_at < ? AND NOT EXISTS
(SELECT 1 FROM ios_ddm_enrolments e WHERE e.tenant_id = ios_ddm_sets.tenant_id AND e.set_token = ios_ddm_sets.token)`,
		tenantID, before.UTC()).Error
	if err != nil {
		return fmt.Errorf("drop unused declaration sets: %w", err)
	}
	return nil
}
