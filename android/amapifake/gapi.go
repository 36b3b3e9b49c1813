package amapifake

import (
	_ "embed"
	"net/http"
)

// PathGapiScript is where the fake serves its stand-in of Google's gapi script, as
// apis.google.com serves /js/api.js.
const PathGapiScript = "/js/api.js"

//go:embed gapi.js
var gapiScript []byte

// serveGapiScript serves the stand-in of the gapi script: just the part that opens the
// managed Google Play iframe and delivers its events to the embedding page.
func serveGapiScript(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(gapiScript)
}
