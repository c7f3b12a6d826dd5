/*
 * Contact Us, on top of a form that works without JavaScript. htmx (attributes in
 * the template) swaps in the chosen product's fields and the article suggestions;
 * this file only does what is not a server round trip:
 *  - the bug questions show only for a bug report;
 *  - "this answered my question" shows under a suggestion once it was opened;
 *  - the review step's send button is disabled once pressed (the server also makes a
 *    double submit create one ticket);
 *  - "Continue your draft from 10:42?" shows the time in the reader's own zone, named
 *    (the server writes it in the site's zone, named, for a page without JavaScript).
 * A static file, so it runs under the strict Content-Security-Policy.
 */
(function () {
  "use strict";

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

  function setupBugFields(form) {
    var bugFields = document.getElementById("bug-fields");

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
  }

  function setupAnswered() {
    var suggestions = document.getElementById("suggestions");
    if (!suggestions) { return; }
    // The list is replaced as the person types: listen on the section, not on the links.
    suggestions.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-suggestion]");
      var button = link && link.parentElement.querySelector("button[form=answered-form]");
      if (button) { button.hidden = false; }
    });
  }

  function showLocalTimes() {
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      element.textContent = when.toLocaleTimeString([], {
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes();
    var form = document.getElementById("contact-form");
    if (form) {
      setupBugFields(form);
      setupAnswered();
    }
    setupSubmitOnce();
  });
})();
