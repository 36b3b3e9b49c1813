// Passkeys in the dashboard. A form marked data-passkey="create" or "get" asks the server
// for the ceremony's options (data-options, with the form's CSRF token), hands them to the
// browser's passkey interface, puts the browser's answer into the form's field
// "credential" and sends the form as it is. Without this script the forms stay hidden and
// the page says that passkeys need JavaScript; the code from the authenticator app works
// without it.
(function () {
  "use strict";

  function fromB64url(s) {
    var b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The server's options carry binary values as base64url text; the browser wants bytes.
  function decodeOptions(kind, o) {
    o.challenge = fromB64url(o.challenge);
    if (kind === "create") o.user.id = fromB64url(o.user.id);
    (o.excludeCredentials || o.allowCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
    return o;
  }

  // The browser's answer as the server reads it: a PublicKeyCredential in JSON.
  function encodeAnswer(cred) {
    if (typeof cred.toJSON === "function") return JSON.stringify(cred.toJSON());
    var r = cred.response, response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      if (typeof r.getTransports === "function") response.transports = r.getTransports();
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) response.userHandle = toB64url(r.userHandle);
    }
    return JSON.stringify({ id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: response, clientExtensionResults: cred.getClientExtensionResults() });
  }

  function ceremony(form) {
    var kind = form.getAttribute("data-passkey");
    var failed = form.querySelector("[data-passkey-error]");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (ev) {
      if (form.elements.credential.value !== "") return;
      ev.preventDefault();
      if (kind === "create" && !form.reportValidity()) return;
      failed.hidden = true;
      button.disabled = true;
      var body = new URLSearchParams({ csrf: form.elements.csrf.value });
      fetch(form.getAttribute("data-options"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (res) {
          // The page is out of date (the proof of the factor ran out, the sign-in ended):
          // the server shows what is possible now.
          if (res.status === 401 || res.status === 409) window.location.reload();
          if (!res.ok) throw new Error("options: " + res.status);
          return res.json();
        })
        .then(function (opts) {
          var publicKey = decodeOptions(kind, opts.publicKey);
          return kind === "create" ? navigator.credentials.create({ publicKey: publicKey })
            : navigator.credentials.get({ publicKey: publicKey });
        })
        .then(function (cred) {
          form.elements.credential.value = encodeAnswer(cred);
          form.submit();
        })
        .catch(function () {
          button.disabled = false;
          failed.hidden = false;
        });
    });
  }

  var supported = typeof window.PublicKeyCredential === "function" && navigator.credentials;
  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (el) { el.hidden = !!supported; });
  if (!supported) return;
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.hidden = false;
    ceremony(form);
  });
})();
