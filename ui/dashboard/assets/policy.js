// The policy editor's managed Google Play: on request, a web token from the JSON API opens
// the iframe; the app chosen there (its onproductselect event) is added to the form by
// the catalogue's own form target, which checks it with Google Play again. Without
// JavaScript the look-up beside it does the same.
//
// What the iframe says when an administrator selects an app (Google's guide "Managed
// Google Play iframe", read 2026-12-06; docs/ui.md): the event "onproductselect" with
// {packageName: "com.google.android.gm", productId: "app:com.google.android.gm",
// action: "selected"}. "selected" is the action of the SELECT mode the editor opens the
// iframe in; "approved" and "unapproved" belonged to the retired APPROVE mode and add
// nothing. The iframe delivers the event only through Google's gapi.iframes library,
// whose messages are private: the editor loads that script (<script origin>/js/api.js,
// once, when the picker is opened), opens the iframe with
// gapi.iframes.getContext().openChild and registers its handler for cross-origin
// iframes. The page's Content-Security-Policy names the script's origin and the
// iframe's; demo mode and tests point both at the AMAPI fake, which serves stand-ins.
(function () {
  "use strict";
  var box = document.getElementById("play");
  var form = document.getElementById("policy-form");
  if (!box || !form || !window.fetch) {
    return;
  }
  var open = document.getElementById("play-open");
  var status = document.getElementById("play-status");
  var origin = box.dataset.origin;
  var scriptOrigin = box.dataset.scriptOrigin;
  box.hidden = false;

  // The choice goes to the catalogues' form target as a button of the form would send
  // it, so that everything typed so far travels with it.
  function submitPick(packageName) {
    var pick = document.createElement("button");
    pick.type = "submit";
    pick.name = "pick";
    pick.value = "android:" + packageName;
    pick.formAction = box.dataset.pickUrl;
    pick.formNoValidate = true;
    pick.style.display = "none";
    form.appendChild(pick);
    form.requestSubmit(pick);
  }

  // chosenPackage returns the package of a selection event, from packageName or else from
  // productId ("app:<package>"); "" for anything else.
  var packagePattern = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;
  function chosenPackage(d) {
    if (d.action !== "selected") {
      return "";
    }
    var p = d.packageName;
    if (typeof p !== "string" && typeof d.productId === "string" && d.productId.indexOf("app:") === 0) {
      p = d.productId.slice(4);
    }
    return typeof p === "string" && p.length <= 200 && packagePattern.test(p) ? p : "";
  }

  // gapiIframes loads the gapi script once and resolves to gapi.iframes; it rejects with
  // "script" when the script or its iframes part cannot be loaded.
  var iframesReady = null;
  function gapiIframes() {
    if (iframesReady) {
      return iframesReady;
    }
    iframesReady = new Promise(function (resolve, reject) {
      function fail() {
        iframesReady = null;
        reject(new Error("script"));
      }
      function load() {
        if (!window.gapi || typeof window.gapi.load !== "function") {
          fail();
          return;
        }
        window.gapi.load("gapi.iframes", {
          callback: function () {
            if (window.gapi.iframes && typeof window.gapi.iframes.getContext === "function") {
              resolve(window.gapi.iframes);
            } else {
              fail();
            }
          },
          onerror: fail,
          timeout: 10000,
          ontimeout: fail
        });
      }
      if (window.gapi && typeof window.gapi.load === "function") {
        load();
        return;
      }
      var script = document.createElement("script");
      script.src = scriptOrigin + "/js/api.js";
      script.async = true;
      script.addEventListener("load", load);
      script.addEventListener("error", function () {
        script.remove();
        fail();
      });
      document.head.appendChild(script);
    });
    return iframesReady;
  }

  // openPlay opens the iframe at url in the frame's box and hands its selections on.
  function openPlay(iframes, url) {
    var where = document.getElementById("play-frame");
    where.replaceChildren();
    var frame = iframes.getContext().openChild({
      url: url,
      where: where,
      attributes: {style: "width: 100%; height: 600px; border: 0", scrolling: "yes"}
    });
    var el = where.querySelector("iframe");
    if (el) {
      el.id = "play-iframe";
      el.title = box.dataset.title;
    }
    frame.register("onproductselect", function (d) {
      var p = d && typeof d === "object" ? chosenPackage(d) : "";
      if (p) {
        submitPick(p);
      }
    }, iframes.CROSS_ORIGIN_IFRAMES_FILTER);
  }

  open.addEventListener("click", function () {
    open.disabled = true;
    status.textContent = "";
    var token = fetch(box.dataset.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": form.elements.csrf.value},
      body: JSON.stringify({parent_frame_url: window.location.origin})
    }).then(function (r) {
      if (!r.ok) {
        throw new Error(String(r.status));
      }
      return r.json();
    }).then(function (t) {
      if (t.iframe_origin !== origin) {
        throw new Error("origin");
      }
      return t.iframe_url;
    });
    Promise.all([gapiIframes(), token]).then(function (ready) {
      openPlay(ready[0], ready[1]);
      open.style.display = "none";
    }).catch(function (err) {
      status.textContent = err && err.message === "script" ? box.dataset.scriptFailed : box.dataset.failed;
      open.disabled = false;
    });
  });
})();
