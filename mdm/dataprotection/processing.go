package dataprotection

import (
	"context"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// RecordOfProcessing is what the starting document for the record of processing
// activities (Art. 30 GDPR) of the tenant's mobile device management is made from: the
// tenant's names and its data-protection settings. The document's standard wording (what
// trennwand keeps, who receives what, which measures it takes) belongs to its rendering,
// in the reader's language; the data-protection officer completes and adopts it.
type RecordOfProcessing struct {
	GeneratedAt    time.Time
	Controller     string // the tenant
	Operator       string // who runs the service for it; empty: the tenant itself
	PrivacyContact string
	// Settings hold the retention rules and, when the tenant worded them itself, the
	// purposes and additional measures.
	Settings DataProtection
}

// ProcessingRecord returns the tenant's record of processing as it stands.
func (s *Service) ProcessingRecord(ctx context.Context, t mdm.Tenant) (RecordOfProcessing, error) {
	dp, err := s.TenantDataProtection(ctx, t)
	if err != nil {
		return RecordOfProcessing{}, err
	}
	return RecordOfProcessing{GeneratedAt: s.Settings.Now(), Controller: t.DisplayName, Operator: t.OperatorName,
		PrivacyContact: t.PrivacyContact, Settings: dp}, nil
}
