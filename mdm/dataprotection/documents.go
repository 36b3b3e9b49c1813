package dataprotection

import (
	"context"
	"fmt"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/audit"
)

// Document names a draft that the data-protection officer takes to the people who must
// approve the device management: the impact assessment (Art. 35 GDPR), the service
// agreement with the staff council, and the mapping to BSI IT-Grundschutz.
type Document string

// The documents.
const (
	DocumentDPIA      Document = "dpia"
	DocumentAgreement Document = "agreement"
	DocumentBSI       Document = "bsi"
)

// Documents lists every document, in the order they are offered.
var Documents = []Document{DocumentDPIA, DocumentAgreement, DocumentBSI}

// ParseDocument checks a document asked for by name.
func ParseDocument(s string) (Document, error) {
	for _, d := range Documents {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: document %q; choose one of %v", mdm.ErrInvalid, s, Documents)
}

// DocumentFacts is what a document is written from, read at one moment: the record of
// processing (the tenant and its settings), the privacy notice an employee reads on
// each platform for each ownership (the employee's own phone, the employer's), and the
// role matrix. A change of a setting, of the notice or of a
// role's permissions shows up in the next draft.
type DocumentFacts struct {
	Document    Document
	GeneratedBy string
	RecordOfProcessing
	Notices []mdm.Notice
	Roles   []RoleGrant
}

// RoleGrant is one role of the dashboard with what it may do.
type RoleGrant struct {
	Role        mdm.Role
	Permissions []mdm.Permission
}

// noticePlatforms are the platforms whose notice the documents quote.
var noticePlatforms = []mdm.Platform{mdm.PlatformIOS, mdm.PlatformAndroid}

// DocumentDraft gathers the facts of the document for the tenant. Making it is recorded
// in the audit trail in the same transaction, as the per-employee report is.
func (s *Service) DocumentDraft(ctx context.Context, actor string, t mdm.Tenant, d Document) (DocumentFacts, error) {
	var f DocumentFacts
	err := s.Atomic(ctx, func(tx mdm.Store, at time.Time) error {
		dp, err := settingsOf(ctx, s.Tables(tx), t.ID)
		if err != nil {
			return err
		}
		f, err = NewDocumentFacts(d, actor, RecordOfProcessing{GeneratedAt: at, Controller: t.DisplayName,
			Operator: t.OperatorName, PrivacyContact: t.PrivacyContact, Settings: dp})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, t.ID, at, audit.Record{Actor: actor, Action: audit.DataProtectionDocument,
			Subject: audit.Tenant.Of(t.ID), Details: audit.Fields(map[string]any{"document": string(d)})})
		return err
	})
	return f, err
}

// NewDocumentFacts completes the record of processing with what every document quotes
// besides it: the privacy notice of each platform and the role matrix.
func NewDocumentFacts(d Document, actor string, r RecordOfProcessing) (DocumentFacts, error) {
	if _, err := ParseDocument(string(d)); err != nil {
		return DocumentFacts{}, err
	}
	f := DocumentFacts{Document: d, GeneratedBy: actor, RecordOfProcessing: r}
	for _, p := range noticePlatforms {
		for _, o := range mdm.Ownerships {
			n, err := mdm.PrivacyNotice(p, o)
			if err != nil {
				return f, err
			}
			f.Notices = append(f.Notices, n)
		}
	}
	for _, role := range mdm.Roles {
		f.Roles = append(f.Roles, RoleGrant{Role: role, Permissions: role.Permissions()})
	}
	return f, nil
}
