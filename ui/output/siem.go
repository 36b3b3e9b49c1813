package output

import (
	"fmt"
	"io"
	"time"

	"github.com/trennwand/trennwand/mdm/siem"
)

// SIEM writes how a tenant's feed to the SIEM stands: on or off, and per sink how far it
// got and why it fails, if it does; with asJSON as one object.
func SIEM(w io.Writer, asJSON bool, st siem.Status) error {
	if asJSON {
		return JSON(w, SIEMJSON(st))
	}
	state := "off"
	if st.On {
		state = "on since " + st.Since.Local().Format(time.DateTime)
	}
	if _, err := fmt.Fprintf(w, "%s: SIEM feed %s; last event %d\n", st.Tenant.Name, state, st.Head); err != nil {
		return err
	}
	if len(st.Sinks) == 0 {
		return nil
	}
	rows := make([][]string, len(st.Sinks))
	for i, k := range st.Sinks {
		failing := "-"
		if k.Failures > 0 {
			failing = fmt.Sprintf("%d attempts since %s: %s", k.Failures, localTime(k.FailingSince, "?"), k.LastError)
		}
		rows[i] = []string{k.Sink, fmt.Sprint(k.Seq), fmt.Sprint(k.Behind), localTime(k.SentAt, "never"), failing}
	}
	return Table(w, []string{"SINK", "SENT UP TO", "BEHIND", "LAST SENT", "FAILING"}, rows)
}

// SIEMJSON is how a tenant's feed stands in JSON, for the command line and the JSON API.
func SIEMJSON(st siem.Status) map[string]any {
	sinks := make([]map[string]any, len(st.Sinks))
	for i, k := range st.Sinks {
		sinks[i] = map[string]any{"sink": k.Sink, "sent_seq": k.Seq, "behind": k.Behind, "sent_at": k.SentAt,
			"failures": k.Failures, "last_error": k.LastError, "failing_since": k.FailingSince}
	}
	out := map[string]any{"tenant": st.Tenant.Name, "on": st.On, "head_seq": st.Head, "sinks": sinks}
	if st.On {
		out["since"] = st.Since
	}
	return out
}
