/*
 * Contact Us, on top of a form that works without JavaScript. htmx (attributes in
 * the template) swaps in the chosen product's fields and the article suggestions;
 * this file only does what is not a server round trip:
 *  - the parts of the form the chosen kind of request asks for show, the others hide
 *    (portal/kinds.py says which: data-kinds in the page), with no reload;
 *  - the suggestions' space shows (its height is kept: the fields never move);
 *  - "this answered my question" shows under a suggestion once it was opened;
 *  - "Review my request" shows the request in the page, to check and send in one
 *    round trip (the server makes the ticket at once; an incomplete or very fast form
 *    still gets the server's review step, as without JavaScript);
 *  - the send buttons are disabled once pressed (the form's one-time key also makes a
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

  // Label and value of a filled-in field, as the review page lists them; null to skip.
  function fieldRow(form, element) {
    if (!element.name || element.disabled || element.closest("[hidden], .hp-field")) { return null; }
    var type = element.type;
    if (type === "hidden" || type === "submit" || type === "button") { return null; }
    if ((type === "radio" || type === "checkbox") && !element.checked) { return null; }
    var value = element.value;
    if (element.tagName === "SELECT") {
      value = element.value ? element.options[element.selectedIndex].text : "";
    } else if (type === "file") {
      value = Array.prototype.map.call(element.files, function (file) { return file.name; }).join(", ");
    } else if (type === "radio") {
      var option = form.querySelector("label[for='" + element.id + "']");
      value = option ? option.textContent.trim() : value;
    }
    if (!value || !value.trim()) { return null; }
    var owner = type === "radio" ? element.closest("fieldset") : null;
    var label = owner ? owner.querySelector("legend") : form.querySelector("label[for='" + element.id + "']");
    return [label ? label.textContent.replace(/\*/g, "").trim() : element.name, value];
  }

  function fillSummary(form, list) {
    list.textContent = "";
    var held = document.querySelectorAll("#held-files li > span:first-child");
    var heldNames = Array.prototype.map.call(held, function (item) { return item.textContent.trim(); });
    Array.prototype.forEach.call(form.elements, function (element) {
      var row = fieldRow(form, element);
      if (!row) { return; }
      if (element.type === "file") {
        row[0] = list.getAttribute("data-files-label");
        row[1] = heldNames.concat([row[1]]).join(", ");
        heldNames = [];
      }
      var term = document.createElement("dt");
      term.className = "col-sm-4";
      term.textContent = row[0];
      var detail = document.createElement("dd");
      detail.className = "col-sm-8 text-break";
      detail.textContent = row[1];
      list.append(term, detail);
    });
    if (heldNames.length) {
      var filesTerm = document.createElement("dt");
      filesTerm.className = "col-sm-4";
      filesTerm.textContent = list.getAttribute("data-files-label");
      var filesDetail = document.createElement("dd");
      filesDetail.className = "col-sm-8";
      filesDetail.textContent = heldNames.join(", ");
      list.append(filesTerm, filesDetail);
    }
  }

  function setupPageReview(form) {
    var review = document.getElementById("page-review");
    var reviewed = form.querySelector("input[name=reviewed]");
    var send = document.getElementById("page-review-send");
    var change = document.getElementById("page-review-change");
    if (!review || !reviewed || !send || !change) { return; }
    var pressed = null;  // the button that asked for the review ("continue without these details")

    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var name = submitter ? submitter.getAttribute("name") : "";
      // Removing a file, showing a product's fields: a plain round trip, as before.
      if (name === "remove_file" || name === "show_product_fields" || reviewed.value) { return; }
      event.preventDefault();
      pressed = name ? [name, submitter.value] : null;
      fillSummary(form, document.getElementById("page-review-summary"));
      review.hidden = false;
      review.focus();
    });
    var key = form.querySelector("input[name=submission_key]");
    var restored = false;
    // A change after the review was shown: it is no longer what would be sent. On a page
    // restored after it was sent (back/forward cache), a change makes it a new request:
    // a new one-time key, or the server would answer with the first ticket again.
    form.addEventListener("input", function () {
      review.hidden = true;
      reviewed.value = "";
      if (restored && key) {
        var bytes = new Uint8Array(24);
        window.crypto.getRandomValues(bytes);
        key.value = btoa(String.fromCharCode.apply(null, bytes))
          .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        restored = false;
      }
    });
    window.addEventListener("pageshow", function (event) {
      reviewed.value = "";
      send.disabled = false;
      restored = restored || event.persisted;
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file") { review.hidden = true; }
    });
    change.addEventListener("click", function () {
      review.hidden = true;
      var first = form.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
    send.addEventListener("click", function () {
      reviewed.value = "1";
      if (pressed) {
        var extra = document.createElement("input");
        extra.type = "hidden";
        extra.name = pressed[0];
        extra.value = pressed[1];
        form.append(extra);
      }
      send.disabled = true;
      form.submit();
    });
  }

  // The parts of the form the chosen kind of request asks for (data-kinds lists the kinds
  // each part is for), and the description worded for it; no kind chosen: none of them.
  function setupKinds(form) {
    var sections = form.querySelectorAll("[data-kinds]");
    var source = document.getElementById("description-wording");
    var wording = source ? JSON.parse(source.textContent) : {};

    function chosenKind() {
      var checked = form.querySelector("input[name=category]:checked");
      return checked ? checked.getAttribute("data-kind") || "question" : "";
    }

    function showWhatApplies() {
      var kind = chosenKind();
      sections.forEach(function (section) {
        section.hidden = section.getAttribute("data-kinds").split(" ").indexOf(kind) < 0;
      });
      var words = wording[kind] || wording[""];
      var label = form.querySelector("label[for=id_description]");
      var help = document.getElementById("id_description_helptext");
      if (words && label) { label.textContent = words[0]; }
      if (words && help) { help.textContent = words[1]; }
    }

    form.querySelectorAll("input[name=category]").forEach(function (radio) {
      radio.addEventListener("change", showWhatApplies);
    });
    // A page restored by the browser may have another kind checked than the server drew.
    window.addEventListener("pageshow", showWhatApplies);
    showWhatApplies();
  }

  function setupAnswered() {
    var suggestions = document.getElementById("suggestions");
    if (!suggestions) { return; }
    // Suggestions need JavaScript (htmx): their space is kept only when they can come.
    var box = document.getElementById("suggestions-box");
    if (box) { box.hidden = false; }
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
      setupKinds(form);
      setupAnswered();
      setupPageReview(form);
    }
    setupSubmitOnce();
  });
})();
