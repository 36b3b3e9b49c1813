// The AMAPI fake's stand-in of Google's gapi script (https://apis.google.com/js/api.js),
// as far as an embedding page needs it for the managed Google Play iframe:
// gapi.load("gapi.iframes", callback), gapi.iframes.getContext().openChild({url, where,
// attributes}), the opened iframe's register(event, handler, filter) and
// gapi.iframes.CROSS_ORIGIN_IFRAMES_FILTER. Google does not document the messages its
// script and its iframe exchange; between this script and the fake's own iframe page an
// event travels as a plain message {event: <name>, ...its fields}, accepted only from the
// opened iframe's window and origin, and the registered handler gets the fields.
(function () {
  "use strict";
  if (window.gapi && window.gapi.iframes) {
    return;
  }
  var gapi = window.gapi = window.gapi || {};
  var opened = [];

  function Iframe(el, origin) {
    this.el = el;
    this.origin = origin;
    this.handlers = {};
  }
  Iframe.prototype.getIframeEl = function () {
    return this.el;
  };
  Iframe.prototype.getOrigin = function () {
    return this.origin;
  };
  Iframe.prototype.register = function (name, handler, filter) {
    this.handlers[name] = {handler: handler, filter: filter};
  };

  window.addEventListener("message", function (e) {
    var d = e.data;
    if (!d || typeof d !== "object" || typeof d.event !== "string") {
      return;
    }
    opened.forEach(function (f) {
      if (e.source !== f.el.contentWindow || e.origin !== f.origin ||
          !Object.prototype.hasOwnProperty.call(f.handlers, d.event)) {
        return;
      }
      var h = f.handlers[d.event];
      if (h.filter && !h.filter(f)) {
        return;
      }
      var fields = {};
      Object.keys(d).forEach(function (k) {
        if (k !== "event") {
          fields[k] = d[k];
        }
      });
      h.handler.call(f, fields);
    });
  });

  var context = {
    openChild: function (o) {
      var el = document.createElement("iframe");
      var attrs = o.attributes || {};
      Object.keys(attrs).forEach(function (k) {
        // A style goes through the CSSOM, which a page's Content-Security-Policy allows.
        if (k === "style") {
          el.style.cssText = String(attrs[k]);
        } else {
          el.setAttribute(k, String(attrs[k]));
        }
      });
      el.src = o.url;
      o.where.appendChild(el);
      var f = new Iframe(el, new URL(o.url, window.location.href).origin);
      opened.push(f);
      return f;
    }
  };

  gapi.iframes = {
    getContext: function () {
      return context;
    },
    CROSS_ORIGIN_IFRAMES_FILTER: function (f) {
      return f.getOrigin() !== window.location.origin;
    }
  };

  // load takes the features as "a:b" and a callback or {callback, onerror}; this
  // stand-in has gapi.iframes alone.
  gapi.load = function (features, opts) {
    var done = typeof opts === "function" ? opts : opts && opts.callback;
    var failed = opts && typeof opts === "object" ? opts.onerror : null;
    var known = String(features).split(":").every(function (f) {
      return f === "gapi.iframes";
    });
    window.setTimeout(function () {
      if (known && done) {
        done();
      } else if (!known && failed) {
        failed(new Error("gapi stand-in: unknown feature " + features));
      }
    }, 0);
  };
})();
