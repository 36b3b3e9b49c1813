package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
)

//go:embed openapi.yaml
var openAPIYAML []byte

// apiSpec is the OpenAPI document of the JSON API: served to clients as JSON and used to
// validate every request before a handler sees it.
type apiSpec struct {
	doc  *openapi3.T
	json []byte
}

// specOperation is one operation of the document, ready for validating requests.
type specOperation struct {
	route *routers.Route
}

// loadAPISpec parses and checks the embedded document.
func loadAPISpec() (*apiSpec, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is invalid: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode the OpenAPI document: %w", err)
	}
	return &apiSpec{doc: doc, json: b}, nil
}

// specPath turns an echo path (/devices/:id) into the document's form (/devices/{id}).
func specPath(echoPath string) string {
	parts := strings.Split(echoPath, "/")
	for i, p := range parts {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/")
}

// operation returns the document's operation for a route; an error if it has none.
func (s *apiSpec) operation(method, echoPath string) (*specOperation, error) {
	path := specPath(echoPath)
	item := s.doc.Paths.Find(path)
	if item == nil || item.GetOperation(method) == nil {
		return nil, fmt.Errorf("the OpenAPI document does not describe %s %s", method, path)
	}
	return &specOperation{route: &routers.Route{Spec: s.doc, Server: s.doc.Servers[0], Path: path,
		PathItem: item, Method: method, Operation: item.GetOperation(method)}}, nil
}

// validate checks the request's parameters and body against the operation. Credentials are
// checked before, by the server itself.
func (s *apiSpec) validate(c echo.Context, op *specOperation) error {
	params := make(map[string]string, len(c.ParamNames()))
	for i, name := range c.ParamNames() {
		params[name] = c.ParamValues()[i]
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		if p := err.JSONPointer(); len(p) > 0 {
			return strings.Join(p, ".") + ": " + err.Reason
		}
		return err.Reason
	})
	err := openapi3filter.ValidateRequest(c.Request().Context(), &openapi3filter.RequestValidationInput{
		Request: c.Request(), PathParams: params, Route: op.route, Options: opts,
	})
	if err == nil {
		return nil
	}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		return requestProblem(re)
	}
	return newProblem(ProblemMalformed, "the request does not match the API description")
}

// requestProblem says what is wrong with a request, naming the parameter or the body
// member, without echoing the document's schemas back.
func requestProblem(re *openapi3filter.RequestError) *problem {
	var field fieldError // the body as a whole has no pointer
	where := "request body"
	if re.Parameter != nil {
		field = fieldError{Parameter: re.Parameter.Name}
		where = re.Parameter.In + " parameter " + re.Parameter.Name
	}
	reason := re.Reason
	var se *openapi3.SchemaError
	if errors.As(re.Err, &se) {
		reason = se.Reason
		if p := se.JSONPointer(); len(p) > 0 {
			reason = strings.Join(p, ".") + ": " + reason
			if re.Parameter == nil {
				field.Pointer = jsonPointer(p)
			}
		}
	} else if reason == "" && re.Err != nil {
		reason = re.Err.Error()
	}
	field.Detail = reason
	p := newProblem(ProblemMalformed, where+": "+reason)
	p.Errors = []fieldError{field}
	return p
}

// jsonPointer is the JSON pointer (RFC 6901) of the path of member names.
func jsonPointer(path []string) string {
	escape := strings.NewReplacer("~", "~0", "/", "~1")
	var b strings.Builder
	for _, name := range path {
		b.WriteString("/" + escape.Replace(name))
	}
	return b.String()
}
