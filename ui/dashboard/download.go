package dashboard

import (
	"mime"
	"net/http"
)

// Download is the answer to an export, for the dashboard and the API alike: its headers
// and its status 200 go out with its first byte, so that an export refused before it has
// anything to send still answers with its problem.
type Download struct {
	w           http.ResponseWriter
	contentType string
	name        string
	started     bool
}

// NewDownload answers on w with a file of the content type, saved under name.
func NewDownload(w http.ResponseWriter, contentType, name string) *Download {
	return &Download{w: w, contentType: contentType, name: name}
}

func (d *Download) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		h := d.w.Header()
		h.Set("Content-Type", d.contentType)
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name}))
		d.w.WriteHeader(http.StatusOK)
	}
	return d.w.Write(p)
}

// Started says whether the answer's status and first bytes are sent.
func (d *Download) Started() bool { return d.started }
