package mdm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trennwand/trennwand/mdm"
)

// The lost-mode text is trimmed where that is safe and refused, with the message that
// says why, where a lock screen could not show it or Apple would not take it.
func TestParseLostModeText(t *testing.T) {
	cases := []struct {
		name    string
		in      mdm.LostModeText
		want    mdm.LostModeText
		refusal string // the refusal's message ID, "" when taken
	}{
		{"nothing: the message naming the employer", mdm.LostModeText{Message: "  "}, mdm.LostModeText{}, ""},
		{"all three, trimmed", mdm.LostModeText{Message: " Bitte im Rathaus abgeben. ", PhoneNumber: " +49 (431) 901-0 ", Footnote: " Stadt Musterstadt "},
			mdm.LostModeText{Message: "Bitte im Rathaus abgeben.", PhoneNumber: "+49 (431) 901-0", Footnote: "Stadt Musterstadt"}, ""},
		{"a number alone", mdm.LostModeText{PhoneNumber: "0431/901.0"}, mdm.LostModeText{PhoneNumber: "0431/901.0"}, ""},
		{"a message at its limit", mdm.LostModeText{Message: strings.Repeat("ä", mdm.MaxLostMessage)},
			mdm.LostModeText{Message: strings.Repeat("ä", mdm.MaxLostMessage)}, ""},
		{"a message too long", mdm.LostModeText{Message: strings.Repeat("ä", mdm.MaxLostMessage+1)}, mdm.LostModeText{}, "refusal.lost_message_length"},
		{"a number too long", mdm.LostModeText{PhoneNumber: strings.Repeat("1", mdm.MaxLostPhoneNumber+1)}, mdm.LostModeText{}, "refusal.lost_phone_number_length"},
		{"a footnote too long", mdm.LostModeText{Message: "m", Footnote: strings.Repeat("f", mdm.MaxLostFootnote+1)}, mdm.LostModeText{}, "refusal.lost_footnote_length"},
		{"a number in words", mdm.LostModeText{PhoneNumber: "Rathaus anrufen"}, mdm.LostModeText{}, "refusal.lost_phone_number"},
		{"a plus inside the number", mdm.LostModeText{PhoneNumber: "0431+901"}, mdm.LostModeText{}, "refusal.lost_phone_number"},
		{"too few digits", mdm.LostModeText{PhoneNumber: "(12)"}, mdm.LostModeText{}, "refusal.lost_phone_number"},
		{"a footnote alone", mdm.LostModeText{Footnote: "Danke"}, mdm.LostModeText{}, "refusal.lost_footnote_alone"},
		{"a line break", mdm.LostModeText{Message: "Bitte\nabgeben"}, mdm.LostModeText{}, "refusal.lost_one_line"},
		{"a line separator", mdm.LostModeText{PhoneNumber: "0431", Footnote: "a\u2028b"}, mdm.LostModeText{}, "refusal.lost_one_line"},
		{"bytes that are not text", mdm.LostModeText{Message: "Bitte \xff abgeben"}, mdm.LostModeText{}, "refusal.not_text"},
	}
	for _, c := range cases {
		got, err := mdm.ParseLostModeText(c.in)
		var refused *mdm.Refusal
		switch {
		case c.refusal == "" && (err != nil || got != c.want):
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		case c.refusal != "" && (!errors.As(err, &refused) || refused.ID != c.refusal || !errors.Is(err, mdm.ErrInvalid)):
			t.Errorf("%s: %v, want the refusal %s", c.name, err, c.refusal)
		}
	}
}
