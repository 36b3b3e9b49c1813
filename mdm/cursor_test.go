package mdm

import (
	"testing"
	"time"
	"unicode/utf8"
)

// A cursor the server gave out comes back as the same position.
func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{At: time.Date(2026, 11, 27, 9, 30, 0, 123456000, time.UTC), ID: NewID()}
	got, err := ParseCursor(c.String())
	if err != nil || got == nil || !got.At.Equal(c.At) || got.ID != c.ID {
		t.Fatalf("ParseCursor(%q) = %+v, %v; want %+v", c.String(), got, err, c)
	}
	keyed := Cursor{At: c.At, ID: c.ID, Key: "jürgen müller. dot"}
	if got, err := ParseCursor(keyed.String()); err != nil || got.Key != keyed.Key || got.ID != keyed.ID {
		t.Errorf("ParseCursor of a sorted listing's cursor = %+v, %v; want %+v", got, err, keyed)
	}
	if first, err := ParseCursor(""); first != nil || err != nil {
		t.Errorf("the empty cursor is the first page, got %+v, %v", first, err)
	}
}

// Whatever a client sends as a cursor, parsing answers without panicking, and
// what it accepts is a well-formed value.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", Cursor{At: time.Unix(1, 0), ID: NewID()}.String(), "MTIzLmFiYw", "!!!", "LTEuYWJj",
		Cursor{ID: NewID(), Key: "a.b"}.String()} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCursor(s)
		if err != nil || c == nil {
			return
		}
		if !validID(c.ID) || c.At.Before(time.Unix(0, 0)) || len(c.Key) > maxCursorKey || !utf8.ValidString(c.Key) {
			t.Errorf("accepted a malformed cursor %q: %+v", s, c)
		}
	})
}
