package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/trennwand/trennwand/mdm"
	"github.com/trennwand/trennwand/mdm/enrolment"
)

// Each kind of error becomes its problem type; what the server must keep to itself (a
// plain error, Google's or Apple's answer) is not shown, and is reported for the log.
func TestErrorsBecomeTheirProblemTypes(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.5:443: password=hunter2")
	tests := []struct {
		err    error
		typ    ProblemType
		status int
		detail string // a part of the detail
		known  bool   // the client's to see; false: logged
	}{
		{domainProblem(fmt.Errorf("device x: %w", mdm.ErrNotFound)), ProblemNotFound, 404, "device x", true},
		{domainProblem(fmt.Errorf("revoked: %w", mdm.ErrConflict)), ProblemConflict, 409, "revoked", true},
		{domainProblem(fmt.Errorf("%w: reason", mdm.ErrInvalid)), ProblemInvalidValue, 400, "reason", true},
		{domainProblem(&mdm.NotSetUpError{Platform: mdm.PlatformIOS, Todo: "upload the push certificate"}), ProblemNotSetUp, 400, "upload the push certificate", true},
		{domainProblem(fmt.Errorf("line 2: %w", enrolment.ErrManagedAccountRequired)), ProblemManagedAccount, 400, "managed Apple account", true},
		{domainProblem(fmt.Errorf("%w: %w", mdm.ErrUnavailable, secret)), ProblemServiceOff, 503, "try again later", false},
		{domainProblem(secret), ProblemInternal, 500, "", false},
		{echo.ErrNotFound, ProblemNoSuchRoute, 404, "Not Found", true},
		{echo.ErrMethodNotAllowed, ProblemMethodNotAllowed, 405, "Method Not Allowed", true},
		{echo.ErrStatusRequestEntityTooLarge, ProblemTooLarge, 413, "Too Large", true},
		{echo.NewHTTPError(http.StatusNotFound, "no such invitation"), ProblemNotFound, 404, "no such invitation", true},
		{echo.NewHTTPError(http.StatusTeapot), ProblemBlank, 418, "teapot", true},
		{echo.NewHTTPError(http.StatusBadGateway, secret.Error()), ProblemInternal, 500, "", false},
	}
	for _, tt := range tests {
		p, known := asProblem(tt.err)
		if p.Type != tt.typ || p.Status != tt.status || known != tt.known {
			t.Errorf("%v: %s %d known=%v, want %s %d known=%v", tt.err, p.Type, p.Status, known, tt.typ, tt.status, tt.known)
		}
		if k, ok := problemKinds[p.Type]; ok && (k.status != p.Status || k.title != p.Title) {
			t.Errorf("%v: status and title %d %q are not those of %s", tt.err, p.Status, p.Title, p.Type)
		}
		if !strings.Contains(p.Detail, tt.detail) || strings.Contains(p.Detail, "hunter2") {
			t.Errorf("%v: detail %q, want it to say %q and nothing of the cause", tt.err, p.Detail, tt.detail)
		}
	}
}
