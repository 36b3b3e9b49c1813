package mdm

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Cursor marks the last row of a page in a listing ordered newest first, by creation time
// and then ID. The next page starts after it, so that pages stay fast and stable however
// many rows come before and however many are added meanwhile (keyset pagination). A
// listing sorted by another column keeps that column's value of the row: a point in time
// in At, text in Key.
type Cursor struct {
	At  time.Time
	ID  string
	Key string
}

// maxCursorKey bounds the text a cursor carries (an e-mail address, a name).
const maxCursorKey = 600

// String encodes the cursor for a client, who hands it back unchanged.
func (c Cursor) String() string {
	raw := strconv.FormatInt(c.At.UTC().UnixMicro(), 10) + "." + c.ID
	if c.Key != "" {
		raw += "." + c.Key
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseCursor reads a cursor that a client hands back. The empty string is the first page.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := fmt.Errorf("%w: cursor %.40q is not one this server gave out", ErrInvalid, s)
	if len(s) > base64.RawURLEncoding.EncodedLen(40+maxCursorKey) {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	micros, rest, ok := strings.Cut(string(raw), ".")
	id, key, _ := strings.Cut(rest, ".")
	if !ok || !validID(id) || len(key) > maxCursorKey || !utf8.ValidString(key) || strings.ContainsRune(key, 0) {
		return nil, bad
	}
	us, err := strconv.ParseInt(micros, 10, 64)
	if err != nil || us < 0 {
		return nil, bad
	}
	return &Cursor{At: time.UnixMicro(us).UTC(), ID: id, Key: key}, nil
}

// validID reports whether s has the form of an ID made by NewID.
func validID(s string) bool {
	return len(s) == 26 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// Page bounds a listing: at most Limit rows after the cursor.
type Page struct {
	After *Cursor
	Limit int
}

// Page sizes: what a listing gives when the caller says nothing, and the most it gives.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Normalized applies the default and the maximum page size.
func (p Page) Normalized() Page {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultPageSize
	case p.Limit > MaxPageSize:
		p.Limit = MaxPageSize
	}
	return p
}
