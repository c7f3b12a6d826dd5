/*
 * The help desk's widget for product pages. Include it where the product's pages are:
 *
 *   <script src="https://support.example.org/static/js/widget.js"
 *           data-product="akvo-flow" data-lang="fr" defer></script>
 *
 * and say who is signed in and where, whenever it is known (again when it changes):
 *
 *   HelpdeskWidget.setContext({name: "Ana", email: "ana@example.org",
 *     instance: "demo.akvoflow.org", pageUrl: location.href, appVersion: "2.18.1",
 *     fields: {survey: "Household survey"}});   // the product's own report fields
 *
 * It adds a "Help" button (in a shadow root, its styles on its own elements only: the
 * page's CSS and the widget's do not meet) that opens the help desk's widget page in
 * an iframe. When that page says it is ready, the context goes to it by postMessage,
 * addressed to the help desk's origin only (taken from this script's own address).
 * The words of the frame's title and of the close button come with "ready", in the
 * widget's language (data-lang, else the browser's) from the help desk's catalogues:
 * this file carries only English stand-ins for before the frame has loaded, and moves
 * the focus into the frame once it is named.
 * The page must allow this script and the frame in its Content-Security-Policy
 * (script-src and frame-src: the help desk's origin), and its origin must be allowed
 * for the product in the help desk's WIDGET_ALLOWED_ORIGINS.
 * HelpdeskWidget.open() and .close() open and close it from the page's own links.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.HelpdeskWidget && window.HelpdeskWidget.version) { return; }
  var helpdesk = new URL(script.src).origin;
  var product = script.getAttribute("data-product") || "";
  var lang = script.getAttribute("data-lang") || "";
  var label = script.getAttribute("data-label") || "Help";
  var context = {};
  var host, button, panel, closer, frame;
  var named = false;  // the frame has given its words (title, close) in its language
  var focusWhenNamed = false;

  function styled(tag, style, attributes) {
    var element = document.createElement(tag);
    // Style properties set from script, not style attributes: allowed by a strict CSP.
    Object.keys(style).forEach(function (name) { element.style.setProperty(name, style[name]); });
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    return element;
  }

  function frameUrl() {
    var url = new URL("/widget/" + encodeURIComponent(product) + "/", helpdesk);
    if (lang) { url.searchParams.set("lang", lang); }
    return url.toString();
  }

  function sendContext() {
    if (frame && frame.contentWindow) {
      frame.contentWindow.postMessage({ type: "helpdesk-widget:context", context: context }, helpdesk);
    }
  }

  function isOpen() {
    return panel.style.getPropertyValue("display") === "block";
  }

  function open() {
    if (!frame) {
      frame = styled("iframe", { border: "0", width: "100%", height: "100%", display: "block" }, {
        src: frameUrl(), title: label + ": " + product  // until the frame names itself
      });
      panel.appendChild(frame);
    }
    panel.style.setProperty("display", "block");
    button.setAttribute("aria-expanded", "true");
    // Into the frame once it has its name in the widget's language, so that a screen
    // reader announces that one (applyWords).
    if (named) { frame.focus(); } else { focusWhenNamed = true; }
  }

  function close() {
    focusWhenNamed = false;
    panel.style.setProperty("display", "none");
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function word(value, fallback) {
    return typeof value === "string" && value.trim() ? value.trim().slice(0, 200) : fallback;
  }

  function applyWords(labels) {
    labels = labels && typeof labels === "object" ? labels : {};
    frame.setAttribute("title", word(labels.title, frame.getAttribute("title")));
    closer.setAttribute("aria-label", word(labels.close, closer.getAttribute("aria-label")));
    named = true;
    // Unless the person went elsewhere on the page meanwhile.
    var active = document.activeElement;
    if (focusWhenNamed && isOpen() && (!active || active === document.body || host.contains(active))) {
      frame.focus();
    }
    focusWhenNamed = false;
  }

  function build() {
    host = styled("div", { position: "fixed", right: "16px", bottom: "16px", "z-index": "2147483000" }, {
      "data-helpdesk-widget": product
    });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    panel = styled("div", {
      display: "none", position: "absolute", right: "0", bottom: "56px",
      width: "min(400px, calc(100vw - 32px))", height: "min(600px, calc(100vh - 96px))",
      background: "#fff", border: "1px solid #6c757d", "border-radius": "8px",
      "box-shadow": "0 8px 24px rgba(0,0,0,.25)", overflow: "hidden"
    }, { role: "dialog", "aria-label": label, id: "helpdesk-widget-panel" });
    closer = styled("button", {
      position: "absolute", top: "6px", right: "8px", "z-index": "1", font: "600 14px/1 sans-serif",
      background: "#fff", color: "#212529", border: "1px solid #6c757d", "border-radius": "4px",
      padding: "4px 8px", cursor: "pointer"
    }, { type: "button", "aria-label": "Close" });  // until the frame gives its word
    closer.textContent = "×";
    closer.addEventListener("click", close);
    panel.appendChild(closer);
    button = styled("button", {
      font: "600 16px/1.2 sans-serif", color: "#fff", background: "#0b5ed7", border: "0",
      "border-radius": "24px", padding: "12px 20px", cursor: "pointer",
      "box-shadow": "0 2px 8px rgba(0,0,0,.3)"
    }, { type: "button", "aria-expanded": "false", "aria-controls": "helpdesk-widget-panel" });
    button.textContent = label;
    button.addEventListener("click", function () {
      if (isOpen()) { close(); } else { open(); }
    });
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
    root.appendChild(panel);
    root.appendChild(button);
    document.body.appendChild(host);
  }

  window.addEventListener("message", function (event) {
    // Only the help desk's frame speaks to us; anything else is not ours.
    if (event.origin !== helpdesk || !frame || event.source !== frame.contentWindow) { return; }
    var type = event.data && event.data.type;
    if (type === "helpdesk-widget:ready") { applyWords(event.data.labels); sendContext(); }
    if (type === "helpdesk-widget:close") { close(); }
  });

  window.HelpdeskWidget = {
    version: 1,
    setContext: function (value) {
      context = value && typeof value === "object" ? value : {};
      sendContext();
    },
    open: function () { open(); },
    close: function () { close(); }
  };

  if (document.body) { build(); } else { document.addEventListener("DOMContentLoaded", build); }
})();
