package scim

import (
	"strconv"
	"strings"
)

// ParseFilter reads the one filter the endpoint answers, userName eq "VALUE" (attribute
// and operator in any case, as RFC 7644 allows), and returns the value. Any other filter
// is refused with invalidFilter rather than answered wrongly.
func ParseFilter(f string) (string, error) {
	f = strings.TrimSpace(f)
	attr, rest, ok := strings.Cut(f, " ")
	if !ok || !strings.EqualFold(attr, "userName") {
		return "", badRequest("invalidFilter", `only the filter userName eq "…" is supported`)
	}
	op, value, ok := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !ok || !strings.EqualFold(op, "eq") {
		return "", badRequest("invalidFilter", `only the filter userName eq "…" is supported`)
	}
	value = strings.TrimSpace(value)
	s, err := strconv.Unquote(value)
	if err != nil || !strings.HasPrefix(value, `"`) || s == "" || len(s) > 256 {
		return "", badRequest("invalidFilter", `the value of userName eq must be a quoted string of 1 to 256 characters`)
	}
	return s, nil
}
