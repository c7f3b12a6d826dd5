/*
 * The help widget's pages, inside the frame a product page opened (static/js/widget.js).
 *  - Says "ready" to the page that framed it, which answers with its context: who is
 *    signed in, the page, the app's version, the instance, the product's own fields.
 *  - Takes that context only from the origins allowed for this product (the body's
 *    data-widget-origins, from WIDGET_ALLOWED_ORIGINS) and only from its parent; any
 *    other message is ignored. It fills the Contact Us form's empty fields only, on the
 *    form's first showing: the person sees it all, can change it, and confirms.
 *  - Shows the parts of the form the chosen kind of request asks for (data-kinds).
 *  - Carries the search words to "Contact us"; Escape asks the page to close the widget.
 *  - Gives the page, with "ready", its words for the frame and the close button in the
 *    widget's language (the body's data-widget-title and data-widget-close), so that they
 *    come from the help desk's catalogues like the rest of the widget.
 * A static file, so it runs under the strict Content-Security-Policy.
 */
(function () {
  "use strict";

  var READY = "helpdesk-widget:ready";
  var CONTEXT = "helpdesk-widget:context";
  var CLOSE = "helpdesk-widget:close";
  var MAX_LENGTH = 2000;

  function allowedOrigins() {
    return (document.body.getAttribute("data-widget-origins") || "").split(" ").filter(Boolean);
  }

  function text(value) {
    if (typeof value === "number") { value = String(value); }
    return typeof value === "string" ? value.trim().slice(0, MAX_LENGTH) : "";
  }

  function fill(form, name, value) {
    var input = form.elements.namedItem(name);
    value = text(value);
    if (!input || !value || input.type === "hidden" || input.value) { return false; }
    input.value = value;
    return true;
  }

  function applyContext(context) {
    var form = document.querySelector("form[data-accepts-context]");
    if (!form || !context || typeof context !== "object") { return; }
    var filled = [
      fill(form, "name", context.name),
      fill(form, "email", context.email),
      fill(form, "host_page_url", context.pageUrl),
      fill(form, "host_app_version", context.appVersion),
      fill(form, "host_instance", context.instance)
    ];
    var fields = context.fields && typeof context.fields === "object" ? context.fields : {};
    Object.keys(fields).forEach(function (key) {
      // Only the product's own fields exist in the form (pd_<name>); others are dropped.
      if (/^[A-Za-z0-9_-]+$/.test(key)) { filled.push(fill(form, "pd_" + key, fields[key])); }
    });
    // Filled once: a second message (the page sent it again) changes nothing typed since.
    form.removeAttribute("data-accepts-context");
    var status = document.getElementById("widget-context-status");
    if (status && filled.indexOf(true) >= 0) {
      status.textContent = status.getAttribute("data-filled") || "";
    }
  }

  function listen() {
    var origins = allowedOrigins();
    window.addEventListener("message", function (event) {
      if (origins.indexOf(event.origin) < 0 || event.source !== window.parent) { return; }
      var data = event.data;
      if (data && data.type === CONTEXT) { applyContext(data.context); }
    });
    if (window.parent !== window) {
      // Nothing secret in "ready" (words any visitor reads): the answer is checked, not
      // the question.
      var body = document.body;
      window.parent.postMessage({
        type: READY,
        labels: {
          title: body.getAttribute("data-widget-title") || "",
          close: body.getAttribute("data-widget-close") || ""
        }
      }, "*");
    }
  }

  function setupKinds() {
    var source = document.getElementById("description-wording");
    var wording = source ? JSON.parse(source.textContent) : {};
    function show() {
      var chosen = document.querySelector("input[name=category]:checked");
      var kind = chosen ? chosen.getAttribute("data-kind") || "question" : "";
      document.querySelectorAll("[data-kinds]").forEach(function (section) {
        section.hidden = section.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
      });
      // The description is asked the way this kind needs it (portal/forms.py).
      var words = wording[kind] || wording[""];
      var label = document.querySelector("label[for=id_description]");
      var help = document.getElementById("id_description_helptext");
      if (words && label) { label.textContent = words[0]; }
      if (words && help) { help.textContent = words[1]; }
    }
    document.querySelectorAll("input[name=category]").forEach(function (radio) {
      radio.addEventListener("change", show);
    });
  }

  function setupContactLink() {
    var link = document.querySelector("a[data-with-query]");
    var search = document.getElementById("widget-q");
    if (!link || !search) { return; }
    link.addEventListener("click", function () {
      var words = search.value.trim();
      if (words) {
        var url = new URL(link.href);
        url.searchParams.set("q", words);
        link.href = url.toString();
      }
    });
  }

  function setupSubmitOnce() {
    var form = document.getElementById("submit-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      var pressed = event.submitter;
      if (pressed && pressed.name === "reviewed") {
        // Disabled after this event, so the button's own value is still sent.
        setTimeout(function () { pressed.disabled = true; }, 0);
      }
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && window.parent !== window) {
      window.parent.postMessage({ type: CLOSE }, "*");
    }
  });

  listen();
  setupKinds();
  setupContactLink();
  setupSubmitOnce();
})();
