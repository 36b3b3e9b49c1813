package portal

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/ui"
)

// Letter is one printed invitation: to whom, the link with its code, and until when.
type Letter struct {
	Tenant  mdm.Tenant
	Name    string
	Email   string
	URL     string
	Code    string
	Expires time.Time
	// Company says that the phone is the employer's: the letter then says how it is set up
	// from its welcome screen.
	Company bool
}

// Screen is what a print view shows above the letters on screen when it is a page of the
// dashboard rather than a file: what was done and where to go back to. None of it is
// printed.
type Screen struct {
	Done string // a sentence saying what was made, in the page's language
	Back string // the address of the page the letters were made on
}

// letterPage is what the print view shows.
type letterPage struct {
	Letters []letterView
	Lang    string
	Screen  Screen
	CSS     template.CSS
	l       *ui.Localizer
}

// letterCSS is the print view's style, inline so that the file prints without the server.
//
//go:embed templates/letter.css
var letterCSS string

// LetterPolicy is the Content-Security-Policy under which a server shows the print view:
// the server's own rule plus the view's inline style (by its hash) and its QR codes (data
// URLs).
var LetterPolicy = func() string {
	sum := sha256.Sum256([]byte(letterCSS))
	return "default-src 'self'; img-src 'self' data:; style-src 'self' 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; frame-ancestors 'none'"
}()

// T returns a text of the print view.
func (p letterPage) T(id string, data ...any) string { return p.l.T(id, data...) }

type letterView struct {
	Letter
	QR      template.URL
	Expires string
}

var letterTemplate = template.Must(template.ParseFS(files, "templates/letter.html"))

// WriteLetters writes a print view (one HTML page per letter, in the language) with each
// letter's QR code inline, so that the file prints from any browser without the server.
// The file holds the codes: print it and delete it.
func WriteLetters(w io.Writer, lang string, letters []Letter) error {
	return WriteLetterPage(w, lang, letters, Screen{})
}

// WriteLetterPage writes the print view of WriteLetters with what screen says above the
// letters: the one layout of a letter, for the command line's file and the dashboard.
func WriteLetterPage(w io.Writer, lang string, letters []Letter, screen Screen) error {
	catalog, err := Catalog()
	if err != nil {
		return err
	}
	page := letterPage{Lang: lang, Screen: screen, CSS: template.CSS(letterCSS), l: catalog.Localizer(lang)}
	for _, l := range letters {
		png, err := qrcode.Encode(l.URL, qrcode.Medium, 384)
		if err != nil {
			return fmt.Errorf("QR code for %s: %w", l.Email, err)
		}
		page.Letters = append(page.Letters, letterView{Letter: l, Expires: l.Expires.Format("02.01.2006"),
			QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	}
	var buf bytes.Buffer
	if err := letterTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("letters: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}
