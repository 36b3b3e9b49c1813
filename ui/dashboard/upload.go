package dashboard

import (
	"fmt"
	"io"
	"net/http"
)

// tokenFile is a file from Apple that an administrator uploads on a page, or pastes as
// text into the same form field "token": the most bytes a real one has, and what the page
// says when the form has none or a larger one. A larger file is refused whole, never cut
// to the limit, so that nothing is stored from it.
type tokenFile struct {
	limit             int
	missing, tooLarge error
}

// read returns the file of the form's field "token", uploaded or pasted.
func (f tokenFile) read(r *http.Request) ([]byte, error) {
	if b, ok, err := uploadedFile(r, "token", f.limit, f.tooLarge); ok {
		return b, err
	}
	switch text := r.PostFormValue("token"); {
	case text == "":
		return nil, f.missing
	case len(text) > f.limit:
		return nil, f.tooLarge
	default:
		return []byte(text), nil
	}
}

// uploadedFile reads the file uploaded in a form field, and refuses one larger than limit
// bytes with tooLarge, having read no more than one byte beyond it; ok is false when the
// form has no file in the field.
func uploadedFile(r *http.Request, field string, limit int, tooLarge error) (b []byte, ok bool, err error) {
	f, _, err := r.FormFile(field)
	if err != nil {
		// No file in the field, or a form that is not multipart at all.
		return nil, false, nil
	}
	defer f.Close()
	b, err = io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, true, fmt.Errorf("read the file uploaded as %s: %w", field, err)
	}
	if len(b) > limit {
		return nil, true, tooLarge
	}
	return b, true, nil
}
