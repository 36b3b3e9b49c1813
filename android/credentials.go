package android

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/trennwand/trennwand/mdm"
)

// credentialsPurpose binds the sealed service-account key to its use.
const credentialsPurpose = "android-amapi-credentials"

// credentials is the sealed service-account key; there is at most one row.
type credentials struct {
	ID        int `gorm:"primaryKey"`
	Sealed    []byte
	UpdatedAt time.Time
}

func (credentials) TableName() string { return "android_credentials" }

// Credentials returns the service-account key to use: the file's content when the
// operator gave one, which is then kept sealed in the database (replacing an older key),
// or else the key kept before; nil when there is neither.
func Credentials(ctx context.Context, db *gorm.DB, sealer mdm.Sealer, fromFile []byte) ([]byte, error) {
	if len(fromFile) > 0 {
		sealed, err := sealer.Seal(credentialsPurpose, fromFile)
		if err != nil {
			return nil, fmt.Errorf("seal the AMAPI credentials: %w", err)
		}
		row := credentials{ID: 1, Sealed: sealed, UpdatedAt: now()}
		err = db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"sealed", "updated_at"})}).Create(&row).Error
		if err != nil {
			return nil, fmt.Errorf("keep the AMAPI credentials: %w", err)
		}
		return fromFile, nil
	}
	var row credentials
	err := db.WithContext(ctx).Take(&row, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the AMAPI credentials: %w", err)
	}
	key, err := sealer.Open(credentialsPurpose, row.Sealed)
	if err != nil {
		return nil, fmt.Errorf("open the AMAPI credentials (is this the installation's master key?): %w", err)
	}
	return key, nil
}
