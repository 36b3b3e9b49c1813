package invitation

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
	"github.com/trennwand/trennwand/ui/output"
	"github.com/trennwand/trennwand/ui/portal"
)

// Handout says how the command line hands out new invitations: the codes printed as text
// or as one JSON object, and the letters written to a file when asked for.
type Handout struct {
	PublicURL *url.URL
	// JSON prints one JSON object instead of text.
	JSON bool
	// Letters is the file for the print view of the letters ("" for none), in Lang.
	Letters string
	Lang    string
}

// Printed is one new invitation as the command line prints it.
type Printed struct {
	Email     string    `json:"email"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	ID        string    `json:"invitation_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// One prints a single new invitation, writes the QR code of its link to qrPath (default
// invitation-<id>.png, none for "-") and its German letter when asked for.
func (h Handout) One(w io.Writer, t mdm.Tenant, inv enrolment.NewInvitation, qrPath string) error {
	link := Link(h.PublicURL, inv.Code)
	if qrPath == "" {
		qrPath = "invitation-" + inv.Invitation.ID + ".png"
	}
	if qrPath != "-" {
		if err := output.NewFile(qrPath, func(w io.Writer) error { return WriteQR(w, link) }); err != nil {
			return fmt.Errorf("the invitation was created, but its QR code could not be written (the URL above still works): %w", err)
		}
	}
	if h.Letters != "" {
		if err := writeLetters(h.Letters, "de", []portal.Letter{Letter(t, inv, link)}); err != nil {
			return fmt.Errorf("the invitation was created (code %s), but its letter could not be written: %w", inv.Code, err)
		}
	}
	if h.JSON {
		out := map[string]any{
			"code": inv.Code, "url": link, "invitation_id": inv.Invitation.ID,
			"employee_id": inv.Employee.ID, "platform": inv.Invitation.Platform, "ownership": inv.Invitation.Ownership,
			"expires_at": inv.Invitation.ExpiresAt,
		}
		if qrPath != "-" {
			out["qr"] = qrPath
		}
		if h.Letters != "" {
			out["letters"] = h.Letters
		}
		return output.JSON(w, out)
	}
	fmt.Fprintf(w, "invited %s (%s, %s) until %s\n  code: %s\n  url:  %s\n",
		inv.Employee.Email, inv.Invitation.Platform, inv.Invitation.Ownership, inv.Invitation.ExpiresAt.Local().Format(time.DateTime), inv.Code, link)
	if qrPath != "-" {
		fmt.Fprintf(w, "  QR code written to %s\n", qrPath)
	}
	return nil
}

// Many prints the new invitations and writes their letters when asked for.
func (h Handout) Many(w io.Writer, t mdm.Tenant, made []enrolment.NewInvitation) error {
	list := make([]Printed, len(made))
	letters := make([]portal.Letter, len(made))
	for i, inv := range made {
		link := Link(h.PublicURL, inv.Code)
		list[i] = Printed{Email: inv.Employee.Email, Code: inv.Code, URL: link, ID: inv.Invitation.ID, ExpiresAt: inv.Invitation.ExpiresAt}
		letters[i] = Letter(t, inv, link)
	}
	if h.Letters != "" {
		if err := writeLetters(h.Letters, h.Lang, letters); err != nil {
			h.printCodes(w, list)
			return fmt.Errorf("the invitations were made, but the letters could not be written (the codes are printed): %w", err)
		}
	}
	if h.JSON {
		res := map[string]any{"invited": len(list), "invitations": list}
		if h.Letters != "" {
			res["letters"] = h.Letters
		}
		return output.JSON(w, res)
	}
	h.printCodes(w, list)
	if h.Letters != "" {
		fmt.Fprintf(w, "letters written to %s (they hold the codes: print, then delete)\n", h.Letters)
	}
	return nil
}

// printCodes prints the codes in text; with JSON they go with the result.
func (h Handout) printCodes(w io.Writer, list []Printed) {
	if h.JSON {
		return
	}
	for _, inv := range list {
		fmt.Fprintf(w, "invited %s until %s\n  code: %s\n  url:  %s\n",
			inv.Email, inv.ExpiresAt.Local().Format(time.DateTime), inv.Code, inv.URL)
	}
}

// writeLetters writes the print view of the letters, which carries the codes.
func writeLetters(path, lang string, letters []portal.Letter) error {
	return output.NewFile(path, func(w io.Writer) error { return portal.WriteLetters(w, lang, letters) })
}

// maxCSVBytes bounds an imported CSV file: 10,000 lines of a few hundred bytes.
const maxCSVBytes = 8 << 20

// ReadCSV reads the employees to invite from the CSV file at path.
func ReadCSV(path string) ([]enrolment.InviteRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	rows, err := enrolment.ParseInvitationCSV(io.LimitReader(f, maxCSVBytes))
	if err != nil {
		return nil, fmt.Errorf("%s: %w (nothing was imported)", path, err)
	}
	return rows, nil
}
