package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/trennwand/trennwand/api"
)

// served is the OpenAPI document as the servers serve it, loaded once: every world
// serves the same.
var served struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

// servedDocument returns the document the server serves.
func servedDocument(srv *api.Server) (*openapi3.T, error) {
	served.once.Do(func() {
		for _, ct := range []string{"text/markdown", "text/html", "application/x-ndjson"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
		rec := httptest.NewRecorder()
		srv.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
		served.doc, served.err = openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	})
	return served.doc, served.err
}

// checkAnswer fails the test when an answer of the JSON API is not what the OpenAPI
// document says: an error status the operation does not declare, or a body that does
// not match the declared schema of its status and content type. So every test that calls
// the API also tests the document.
func (w *apiWorld) checkAnswer(req *http.Request, rec *httptest.ResponseRecorder) {
	w.t.Helper()
	if !strings.HasPrefix(req.URL.Path, api.APIPrefix+"/") || req.URL.Path == api.APIPrefix+"/openapi.json" {
		return
	}
	doc, err := servedDocument(w.srv)
	if err != nil {
		w.t.Fatalf("the served OpenAPI document: %v", err)
	}
	e := w.srv.Echo()
	c := e.NewContext(req, nil)
	e.Router().Find(req.Method, req.URL.Path, c)
	item := doc.Paths.Find(api.SpecPath(strings.TrimPrefix(c.Path(), api.APIPrefix)))
	if item == nil || item.GetOperation(req.Method) == nil {
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			w.t.Errorf("%s %s answered %d but is no operation of the document", req.Method, req.URL.Path, rec.Code)
		}
		return
	}
	op := item.GetOperation(req.Method)
	if rec.Code >= 400 && rec.Code < 500 && op.Responses.Status(rec.Code) == nil {
		w.t.Errorf("%s %s answered %d, which its operation %s does not declare", req.Method, c.Path(), rec.Code, op.OperationID)
	}
	params := map[string]string{}
	for i, name := range c.ParamNames() {
		params[name] = c.ParamValues()[i]
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params,
			Route: &routers.Route{Spec: doc, Path: c.Path(), PathItem: item, Method: req.Method, Operation: op}},
		Status: rec.Code, Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		w.t.Errorf("%s %s answered %d against the document: %v\n%.500s", req.Method, c.Path(), rec.Code, err, rec.Body.String())
	}
}
