package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
)

// decodeBody reads the JSON body, which the OpenAPI check has already found well-formed,
// into v.
func decodeBody(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("request body: %v", err))
	}
	return nil
}

// pageQuery reads limit and after: the size of the page and the cursor it starts after.
func pageQuery(c echo.Context) (mdm.Page, error) {
	var p mdm.Page
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return p, fmt.Errorf("%w: limit %q is not a number", mdm.ErrInvalid, s)
		}
		p.Limit = n
	}
	after, err := mdm.ParseCursor(c.QueryParam("after"))
	p.After = after
	return p.Normalized(), err
}

// withNextCursor adds next_cursor to a listing's answer when its page p is full: the
// cursor of its last row, created at `at` with the ID. A page that is not full is the last.
func withNextCursor(out map[string]any, p mdm.Page, rows int, at func(int) (time.Time, string)) map[string]any {
	if rows > 0 && rows == p.Limit {
		t, id := at(rows - 1)
		out["next_cursor"] = mdm.Cursor{At: t, ID: id}.String()
	}
	return out
}

// timeQuery reads an optional RFC 3339 time from the query.
func timeQuery(c echo.Context, name string) (time.Time, error) {
	s := c.QueryParam(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is not an RFC 3339 time", mdm.ErrInvalid, name, s)
	}
	return t, nil
}

// reasonBody is the body of an action on a device: why it is done.
type reasonBody struct {
	Reason string `json:"reason"`
}

// reasonOf reads the body of an action on a device and returns its reason, checked as
// the audit trail takes it.
func reasonOf(c echo.Context) (string, error) {
	var body reasonBody
	if err := decodeBody(c, &body); err != nil {
		return "", err
	}
	return mdm.ParseReason(body.Reason)
}
