// The policy editor's managed Google Play: on request, a web token from the JSON API opens
// the iframe; the app chosen there (its onproductselect event, accepted only from the
// iframe's origin) is added to the form by the catalogue's own form target, which checks
// it with Google Play again. Without JavaScript the look-up beside it does the same.
//
// What the iframe says when an administrator selects an app (Google's guide "Managed
// Google Play iframe", read 2026-12-06; docs/ui.md): the event "onproductselect" with
// {packageName: "com.google.android.gm", productId: "app:com.google.android.gm",
// action: "selected"}. "selected" is the action of the SELECT mode the editor opens the
// iframe in; "approved" and "unapproved" belonged to the retired APPROVE mode and add
// nothing. Google's guide receives the event through its gapi.iframes library
// (iframe.register("onproductselect", handler, gapi.iframes.CROSS_ORIGIN_IFRAMES_FILTER))
// and does not document that library's messages; the editor loads no script from Google
// and takes the event as a message from the iframe's origin carrying the event's name and
// its fields, as the AMAPI fake's catalogue sends it.
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

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.origin !== origin || !d || typeof d !== "object" || d.event !== "onproductselect") {
      return;
    }
    var p = chosenPackage(d);
    if (p) {
      submitPick(p);
    }
  });

  open.addEventListener("click", function () {
    open.disabled = true;
    status.textContent = "";
    fetch(box.dataset.tokenUrl, {
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
      var frame = document.createElement("iframe");
      frame.src = t.iframe_url;
      frame.title = box.dataset.title;
      frame.id = "play-iframe";
      frame.width = "100%";
      frame.height = "600";
      document.getElementById("play-frame").replaceChildren(frame);
      open.style.display = "none";
    }).catch(function () {
      status.textContent = box.dataset.failed;
      open.disabled = false;
    });
  });
})();
