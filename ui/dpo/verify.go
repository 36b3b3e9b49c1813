package dpo

import (
	"fmt"
	"io"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/trail"
)

// VerificationJSON is the result of checking audit trails as `audit verify --json` prints
// it: whether every trail is intact, and each tenant's events, checkpoints, where a pruned
// trail starts and the first break.
type VerificationJSON struct {
	OK      bool             `json:"ok"`
	Tenants []map[string]any `json:"tenants"`
}

// Verification returns the JSON form of the result of checking audit trails.
func Verification(reports []trail.ChainReport) VerificationJSON {
	intact := true
	out := make([]map[string]any, len(reports))
	for i, r := range reports {
		intact = intact && r.Break == nil
		out[i] = map[string]any{"tenant": r.Tenant.Name, "events": r.Events, "checkpoints": r.Checkpoints, "ok": r.Break == nil}
		if n := len(r.Pruned); n > 0 {
			out[i]["pruned_up_to"] = r.Pruned[n-1].UpToSeq
			out[i]["pruned_at"] = r.Pruned[n-1].PrunedAt
		}
		if r.Break != nil {
			out[i]["first_break"] = map[string]any{"seq": r.Break.Seq, "problem": r.Break.Problem}
		}
	}
	return VerificationJSON{OK: intact, Tenants: out}
}

// VerificationText writes the result of checking audit trails, one line per tenant.
func VerificationText(w io.Writer, reports []trail.ChainReport) error {
	for _, r := range reports {
		var err error
		if r.Break == nil {
			_, err = fmt.Fprintf(w, "%s: intact, %d events%s%s\n", r.Tenant.Name, r.Events, checkpointsNote(r.Checkpoints), prunedNote(r.Pruned))
		} else {
			_, err = fmt.Fprintf(w, "%s: BROKEN at event %d: %s (%d events before it verified)\n",
				r.Tenant.Name, r.Break.Seq, r.Break.Problem, r.Events)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// checkpointsNote says how many signed checkpoints matched, if there are any.
func checkpointsNote(n int64) string {
	switch n {
	case 0:
		return ""
	case 1:
		return ", 1 signed checkpoint"
	}
	return fmt.Sprintf(", %d signed checkpoints", n)
}

// prunedNote says where a pruned trail starts.
func prunedNote(ps []mdm.AuditPrune) string {
	if len(ps) == 0 {
		return ""
	}
	p := ps[len(ps)-1]
	return fmt.Sprintf(" (events up to %d were removed after their retention period on %s; the trail starts at a signed checkpoint)",
		p.UpToSeq, p.PrunedAt.UTC().Format("2006-01-02"))
}
