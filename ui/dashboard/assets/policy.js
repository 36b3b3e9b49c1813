// The policy editor's managed Google Play: on request, a web token from the JSON API opens
// the iframe; the app chosen there (its onproductselect event, accepted only from the
// iframe's origin) is added to the form by the catalogue's own form target, which checks
// it with Google Play again. Without JavaScript the look-up beside it does the same.
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

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (e.origin !== origin || !d || typeof d !== "object" || d.event !== "onproductselect") {
      return;
    }
    if (d.action !== "selected" || typeof d.packageName !== "string" || d.packageName.length > 255) {
      return;
    }
    submitPick(d.packageName);
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
