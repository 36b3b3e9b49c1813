package ui

import (
	"net/http"

	qrcode "github.com/skip2/go-qrcode"
)

// WriteQR answers with a PNG of the QR code of content, size pixels wide, never cached:
// the codes the pages show (an enrolment link, a provisioning code) are fresh each time.
func WriteQR(w http.ResponseWriter, content string, size int) error {
	png, err := qrcode.Encode(content, qrcode.Medium, size)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
	return nil
}
