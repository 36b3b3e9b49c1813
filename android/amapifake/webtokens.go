package amapifake

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	amapi "google.golang.org/api/androidmanagement/v1"
)

// iframeFeatures are the values enabledFeatures may hold.
var iframeFeatures = []string{"PLAY_SEARCH", "PRIVATE_APPS", "WEB_APPS", "STORE_BUILDER", "MANAGED_CONFIGURATIONS", "ZERO_TOUCH_CUSTOMER_MANAGEMENT"}

// PathPlaySearch is where the fake serves its stand-in of the managed Google Play
// iframe's search page, as play.google.com serves /work/embedded/search.
const PathPlaySearch = "/work/embedded/search"

// webToken is a web token the fake handed out, with what it allows.
type webToken struct {
	enterprise string
	parent     string // the origin the iframe may be embedded in
	features   []string
	opened     bool // a token starts one session of the iframe
}

func (f *Fake) createWebToken(w http.ResponseWriter, r *http.Request) {
	var in amapi.WebToken
	if !readJSON(w, r, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.knownEnterprise(w, r) {
		return
	}
	parent, err := url.Parse(in.ParentFrameUrl)
	if err != nil || parent.Scheme != "https" || parent.Host == "" {
		writeError(w, http.StatusBadRequest, "parentFrameUrl must be an https URL")
		return
	}
	for _, feature := range in.EnabledFeatures {
		if !slices.Contains(iframeFeatures, feature) {
			writeError(w, http.StatusBadRequest, "invalid value at 'web_token.enabled_features'")
			return
		}
	}
	out := amapi.WebToken{Name: "enterprises/" + r.PathValue("e") + "/webTokens/" + randomID(), Value: "WT" + randomID() + randomID(),
		ParentFrameUrl: in.ParentFrameUrl, EnabledFeatures: slices.Compact(slices.Sorted(slices.Values(in.EnabledFeatures))), Permissions: in.Permissions}
	f.webTokens[out.Value] = &webToken{enterprise: "enterprises/" + r.PathValue("e"), parent: parent.Scheme + "://" + parent.Host, features: out.EnabledFeatures}
	writeJSON(w, http.StatusOK, out)
}

// playApp is one app of the fake's catalogue page.
type playApp struct{ Package, Title string }

// servePlaySearch is the fake's managed Google Play search page for a web token: the
// apps the fake knows, each with a button that signals the choice to the embedding page
// as the iframe's onproductselect event, posted to the token's parent origin only. A
// token opens one session; an unknown or used token, or one without the search feature,
// gets an error page.
func (f *Fake) servePlaySearch(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	tok, ok := f.webTokens[r.URL.Query().Get("token")]
	usable := ok && !tok.opened && (len(tok.features) == 0 || slices.Contains(tok.features, "PLAY_SEARCH"))
	var apps []playApp
	if usable {
		tok.opened = true
		for pkg, a := range f.apps {
			apps = append(apps, playApp{Package: pkg, Title: a.Title})
		}
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !usable {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<!doctype html><html lang=\"en\"><title>managed Google Play</title><p>This web token is not valid for this page.</p></html>"))
		return
	}
	slices.SortFunc(apps, func(a, b playApp) int {
		return cmp.Or(strings.Compare(a.Title, b.Title), strings.Compare(a.Package, b.Package))
	})
	_ = playPage.Execute(w, map[string]any{"Apps": apps, "Parent": tok.parent, "Select": r.URL.Query().Get("mode") == "SELECT"})
}

// playPage lists the catalogue. In SELECT mode a choice is posted to the parent frame as
// the event the real iframe raises, onproductselect, with its fields: {"event":
// "onproductselect", "packageName": "<package>", "productId": "app:<package>", "action":
// "selected"}. The real iframe delivers the event through Google's gapi.iframes library,
// whose own messages are not documented; the fake's page posts the event plainly to the
// fake's stand-in of that library (gapi.js), which hands it to the registered handler.
var playPage = template.Must(template.New("play").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>managed Google Play (fake)</title>
<style>body{font-family:sans-serif;margin:.5rem}li{margin:.3rem 0}button{margin-left:.5rem}</style></head>
<body><main><h1>Search apps</h1>
<label for="q">Search</label> <input id="q" type="search">
<ul id="apps">{{range .Apps}}<li data-title="{{.Title}} {{.Package}}"><span>{{.Title}}</span> <small>{{.Package}}</small>{{if $.Select}}<button type="button" data-package="{{.Package}}">Select</button>{{end}}</li>{{end}}</ul>
</main>
<script>
(function () {
  var parentOrigin = {{.Parent}};
  document.getElementById("q").addEventListener("input", function (e) {
    var q = e.target.value.toLowerCase();
    document.querySelectorAll("#apps li").forEach(function (li) {
      li.hidden = li.dataset.title.toLowerCase().indexOf(q) < 0;
    });
  });
  document.querySelectorAll("button[data-package]").forEach(function (b) {
    b.addEventListener("click", function () {
      var p = b.dataset.package;
      window.parent.postMessage({event: "onproductselect", packageName: p, productId: "app:" + p, action: "selected"}, parentOrigin);
    });
  });
})();
</script></body></html>
`))
