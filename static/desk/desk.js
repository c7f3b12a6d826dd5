// The agent desk: keyboard shortcuts, live SLA countdowns, bulk selection, canned
// responses and knowledge-base links in the reply box. Plain JavaScript, no build.
// Every page works without it; this only makes the common actions faster.
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  // --- SLA countdowns -----------------------------------------------------------
  function duration(ms) {
    var minutes = Math.round(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) { return days + "d " + hours + "h"; }
    if (hours) { return hours + "h " + mins + "m"; }
    return mins + "m";
  }
  // The phrases come translated from the page (body data attributes).
  var dueIn = document.body.getAttribute("data-due-in") || "due in %s";
  var overdueBy = document.body.getAttribute("data-overdue-by") || "overdue by %s";
  function tick() {
    var now = Date.now();
    $all("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var left = due - now;
      // An element may word its own countdown ("reply due in %s"); else the page's.
      var words = left >= 0 ? el.getAttribute("data-due-in") || dueIn
        : el.getAttribute("data-overdue-by") || overdueBy;
      el.textContent = words.replace("%s", duration(left));
      el.classList.toggle("text-danger", left < 0);
    });
  }

  // --- Queue: current row, ticking, bulk action fields -----------------------------
  var rows = $all("[data-ticket-row]");
  var current = -1;
  function focusRow(index) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("desk-current", i === current); });
    var link = $("a", rows[current]);
    if (link) { link.focus({ preventScroll: false }); }
  }
  var selectAll = $("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      $all("input[name=selected]").forEach(function (box) { box.checked = selectAll.checked; });
    });
  }
  var bulkAction = $("[data-bulk-action]");
  function showBulkFields() {
    $all("[data-bulk-for]").forEach(function (el) {
      var actions = el.getAttribute("data-bulk-for").split(" ");
      el.hidden = actions.indexOf(bulkAction.value) === -1;
    });
  }
  if (bulkAction) { bulkAction.addEventListener("change", showBulkFields); showBulkFields(); }

  // --- Workspace: reply kind, canned responses, knowledge-base links -------------------
  var body = $("[data-reply-body]");
  function insertText(text) {
    if (!body) { return; }
    var start = body.selectionStart || 0, end = body.selectionEnd || 0;
    var before = body.value.slice(0, start), after = body.value.slice(end);
    body.value = before + text + after;
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
  }
  function setKind(kind) {
    var radio = $("#reply-form input[name=kind][value=" + kind + "]");
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    if (body) { body.focus(); }
  }
  // The drafted customer update belongs to a public reply: switching to an internal
  // note (for L2) sets it aside while untouched, and switching back brings it back.
  var customerDraft = body && body.hasAttribute("data-customer-draft") ? body.value : null;
  function keepDraftForReplies(isNote) {
    if (customerDraft === null) { return; }
    if (isNote && body.value === customerDraft) { body.value = ""; }
    else if (!isNote && body.value.trim() === "") { body.value = customerDraft; }
  }
  function showReplyOnly() {
    var checked = $("#reply-form input[name=kind]:checked");
    var isNote = checked && checked.value === "note";
    keepDraftForReplies(isNote);
    $all("[data-reply-only]").forEach(function (el) { el.hidden = isNote; });
    var send = $("#send-button");
    if (send) { send.textContent = isNote ? "Add note" : "Send"; }
  }
  $all("#reply-form input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", showReplyOnly);
  });
  if ($("#reply-form")) { showReplyOnly(); }

  var canned = $("[data-canned-select]");
  if (canned) {
    canned.addEventListener("change", function () {
      var option = canned.options[canned.selectedIndex];
      if (!option.value) { return; }
      insertText(option.getAttribute("data-body"));
      $("#reply-form input[name=canned]").value = option.value;
      var status = option.getAttribute("data-status");
      var then = $("#reply-form select[name=then_status]");
      if (status && then) { then.value = status; }
      var changes = option.getAttribute("data-changes").trim();
      $("#canned-changes").textContent = changes ? "On sending: " + changes : "";
      setKind("reply");
      canned.selectedIndex = 0;
    });
  }

  var kbInput = $("[data-kb-suggest]");
  var kbResults = $("#kb-results");
  var kbTimer = null;
  function kbSearch() {
    var q = kbInput.value.trim();
    if (q.length < 2) { kbResults.replaceChildren(); return; }
    var url = kbInput.getAttribute("data-kb-suggest") + "?source=agent_reply&limit=6&q=" + encodeURIComponent(q);
    var product = kbInput.getAttribute("data-product");
    if (product) { url += "&product=" + encodeURIComponent(product); }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        kbResults.replaceChildren();
        (data.results || []).forEach(function (article) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "list-group-item list-group-item-action small";
          button.setAttribute("role", "option");
          button.textContent = article.title;
          var detail = document.createElement("span");
          detail.className = "d-block text-body-secondary";
          detail.textContent = article.product + " · " + article.section;
          button.appendChild(detail);
          button.addEventListener("click", function () {
            var link = kbInput.getAttribute("data-site-url") + article.article_url;
            insertText(article.title + ": " + link);
            kbResults.replaceChildren();
            kbInput.value = "";
          });
          kbResults.appendChild(button);
        });
      })
      .catch(function () { kbResults.replaceChildren(); });
  }
  if (kbInput && kbResults) {
    kbInput.addEventListener("input", function () {
      clearTimeout(kbTimer);
      kbTimer = setTimeout(kbSearch, 200);
    });
    kbInput.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { kbResults.replaceChildren(); }
      if (event.key === "Enter") { event.preventDefault(); var first = $("button", kbResults); if (first) { first.click(); } }
    });
  }

  // --- Keyboard shortcuts --------------------------------------------------------------
  function go(selector) { var link = $(selector); if (link) { window.location.href = link.href; } }
  var help = document.getElementById("desk-shortcuts");
  function showHelp() {
    if (help && window.bootstrap) { window.bootstrap.Modal.getOrCreateInstance(help).show(); }
  }
  $all("[data-desk-help]").forEach(function (button) { button.addEventListener("click", showHelp); });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) { return; }
    var key = event.key;
    if (rows.length) {
      if (key === "j") { focusRow(current + 1); event.preventDefault(); return; }
      if (key === "k") { focusRow(current - 1); event.preventDefault(); return; }
      if ((key === "o" || key === "Enter") && current >= 0) {
        window.location.href = rows[current].getAttribute("data-href"); event.preventDefault(); return;
      }
      if (key === "x" && current >= 0) {
        var box = $("input[name=selected]", rows[current]); if (box) { box.checked = !box.checked; }
        event.preventDefault(); return;
      }
    } else {
      if (key === "j") { go("[data-desk-next]"); return; }
      if (key === "k") { go("[data-desk-prev]"); return; }
    }
    if (key === "r" && $("#reply-form")) { setKind("reply"); event.preventDefault(); return; }
    if (key === "n" && $("#reply-form")) { setKind("note"); event.preventDefault(); return; }
    if (key === "a" && $("#assign-me-form")) { $("#assign-me-form").requestSubmit(); event.preventDefault(); return; }
    if (key === "u") { go("[data-desk-back]"); return; }
    if (key === "/") { var search = $("[data-desk-search]"); if (search) { search.focus(); event.preventDefault(); } return; }
    if (key === "?") { showHelp(); event.preventDefault(); }
  });

  // --- Log a ticket: show only the chosen product's report fields ---------------------
  var logProduct = $("#log-ticket-form #id_product");
  function showProductGroup() {
    $all("[data-product-group]").forEach(function (group) {
      group.hidden = group.getAttribute("data-product-group") !== logProduct.value;
    });
  }
  if (logProduct) {
    logProduct.addEventListener("change", showProductGroup);
    showProductGroup();
  }

  tick();
  setInterval(tick, 30000);
}());
