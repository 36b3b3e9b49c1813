package licences

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/trennwand/trennwand/mdm"
)

// WriteTokenText writes the content token's organisation and expiry for a person, with
// what to do when it is refused, expires soon or has expired.
func WriteTokenText(w io.Writer, tok mdm.LicenceToken) error {
	state := "valid"
	switch {
	case tok.Problem != "":
		state = tok.Problem
	case tok.Expired:
		state = "EXPIRED: no licences can be assigned; download a new token in Apple Business Manager and upload it"
	case tok.Expiring:
		state = "expires within 30 days: download a new token in Apple Business Manager and upload it"
	}
	_, err := fmt.Fprintf(w, "organisation: %s\nexpires:      %s (%s)\n", tok.Organisation, tok.ExpiresAt.Local().Format(time.DateTime), state)
	return err
}

// WriteAppsTable writes the catalogue's apps with their licences as a table.
func WriteAppsTable(w io.Writer, apps []mdm.LicensedApp) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BUNDLE ID\tNAME\tTOTAL\tFREE\tHELD\tWAITING\tFAILED\tPROBLEM")
	for _, a := range apps {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", a.BundleID, a.Name, a.Total, a.Available, a.Associated, a.Pending, a.Failed, a.Problem)
	}
	return tw.Flush()
}
