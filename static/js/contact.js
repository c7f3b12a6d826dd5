/*
 * Contact Us, on top of a form that works without JavaScript:
 *  - the chosen product's own fields are fetched (an htmx-style fragment) and swapped in;
 *  - the bug questions show only for a bug report;
 *  - while the subject and description are typed, matching knowledge base articles are
 *    suggested (debounced), each with "this answered my question";
 *  - the review step's send button is disabled once pressed (the server also makes a
 *    double submit create one ticket).
 * A static file, so it runs under the strict Content-Security-Policy; text from the
 * server is put into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 400;
  var MIN_QUERY = 3;

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function plainText(text) {
    // The snippet is plain text with HTML entities; an inert document decodes them.
    return new DOMParser().parseFromString(text, "text/html").body.textContent || "";
  }

  function setupSubmitOnce() {
    var submit = document.getElementById("submit-form");
    if (!submit) { return; }
    submit.addEventListener("submit", function () {
      var button = submit.querySelector("button[type=submit]");
      if (button) {
        // Disabled after this event, so the button's own submission still goes through.
        setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  }

  function setupContactForm(form) {
    var product = form.querySelector("#id_product");
    var productFields = document.getElementById("product-fields");
    var bugFields = document.getElementById("bug-fields");
    var suggestions = document.getElementById("suggestions");
    var answered = document.getElementById("answered-form");
    var slugs = {};
    var slugData = document.getElementById("product-slugs");
    if (slugData) { slugs = JSON.parse(slugData.textContent || "{}") || {}; }

    function selectedCategoryIsBug() {
      var checked = form.querySelector("input[name=category]:checked");
      return checked ? checked.getAttribute("data-bug") === "1" : true;
    }

    function toggleBugFields() {
      if (!bugFields) { return; }
      var checked = form.querySelector("input[name=category]:checked");
      bugFields.hidden = Boolean(checked) && !selectedCategoryIsBug();
      var label = form.querySelector("label[for=id_description]");
      var wording = form.getAttribute(selectedCategoryIsBug() && checked ? "data-bug-label" : "data-other-label");
      if (label && wording) { label.textContent = wording; }
    }

    form.querySelectorAll("input[name=category]").forEach(function (radio) {
      radio.addEventListener("change", toggleBugFields);
    });
    toggleBugFields();

    if (product && productFields) {
      product.addEventListener("change", function () {
        var url = form.getAttribute("data-fields-url") + "?product=" + encodeURIComponent(product.value);
        fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
          .then(function (html) {
            // Our own server-rendered fragment (form fields, escaped by Django).
            productFields.innerHTML = html;
            suggest();
          })
          .catch(function () { /* the no-JS button still works */ });
      });
    }

    var queryFields = ["id_subject", "id_description", "id_what_doing", "id_actual"]
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    var lastQuery = "";

    function currentQuery() {
      var words = queryFields.map(function (field) { return field.value; }).join(" ");
      return words.replace(/\s+/g, " ").trim().slice(0, 200);
    }

    function renderSuggestions(data, query) {
      suggestions.textContent = "";
      var results = (data && data.results) || [];
      if (!results.length) { return; }
      suggestions.appendChild(el("h2", { class: "h6" }, suggestions.getAttribute("data-heading") || "These articles may answer your question"));
      var list = el("ul", { class: "list-group" });
      results.forEach(function (article) {
        var item = el("li", { class: "list-group-item" });
        var link = el("a", { href: article.url, target: "_blank", rel: "noopener" }, article.title);
        item.appendChild(link);
        var snippet = article.snippet ? plainText(article.snippet) : article.summary;
        if (snippet) {
          item.appendChild(el("div", { class: "small text-body-secondary" }, snippet));
        }
        if (answered) {
          var button = el("button", {
            type: "submit",
            form: "answered-form",
            name: "article",
            value: String(article.id),
            class: "btn btn-link btn-sm p-0 mt-1",
            hidden: "hidden"
          }, suggestions.getAttribute("data-answered") || "This answered my question");
          link.addEventListener("click", function () { button.hidden = false; });
          item.appendChild(button);
        }
        list.appendChild(item);
      });
      suggestions.appendChild(list);
      if (answered) { answered.querySelector("input[name=q]").value = query; }
    }

    function suggest() {
      var query = currentQuery();
      if (!suggestions || query.length < MIN_QUERY || query === lastQuery) { return; }
      lastQuery = query;
      var slug = product ? (slugs[product.value] || "") : "";
      var url = form.getAttribute("data-suggest-url") + "?source=contact_form&limit=5&record=1" +
        "&q=" + encodeURIComponent(query) + "&product=" + encodeURIComponent(slug);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response); })
        .then(function (data) { if (query === lastQuery) { renderSuggestions(data, query); } })
        .catch(function () { /* suggestions are a help, never a blocker */ });
    }

    var debounced = debounce(suggest, DEBOUNCE_MS);
    queryFields.forEach(function (field) { field.addEventListener("input", debounced); });
    if (currentQuery().length >= MIN_QUERY) { suggest(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("contact-form");
    if (form) { setupContactForm(form); }
    setupSubmitOnce();
  });
})();
