package installation

import (
	"context"
	"fmt"
	"os"

	"github.com/trennwand/trennwand/mdm/audit"
	"github.com/trennwand/trennwand/mdm/audit/export"
	"github.com/trennwand/trennwand/mdm/trail"
	"github.com/trennwand/trennwand/pki"
)

// ExportAudit writes the prepared audit export into the directory out, which existed
// before (empty) or not, with its manifest signed by a new signing certificate of the CA,
// which it returns. A failed export removes a directory it created.
func (in *Installation) ExportAudit(ctx context.Context, actor string, x trail.AuditExport, out string, existed bool) (export.Manifest, *pki.Signer, error) {
	// From here on the export writes: the signing certificate, its audit event, the files.
	svc, signer, err := in.AuditService(ctx, true)
	if err != nil {
		return export.Manifest{}, nil, err
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return export.Manifest{}, nil, fmt.Errorf("create %s: %w", out, err)
	}
	m, err := export.Write(out, x, actor, signer, func(write func(audit.Event) error) (trail.AuditExported, error) {
		return svc.Trail.ExportAudit(ctx, actor, x, write)
	})
	if err != nil {
		if !existed {
			_ = os.RemoveAll(out)
		}
		return export.Manifest{}, nil, err
	}
	return m, signer, nil
}
