/* Markdown preview for the article form in the back office.
 *
 * The button posts the textarea's Markdown to the admin's preview view, which
 * answers with the same sanitised HTML the public page will serve (nh3 is the
 * gate, on the server). While the preview is open it follows the typing, a
 * moment after each pause. A static file, so the strict CSP allows it.
 */
(function () {
  "use strict";

  var timers = new WeakMap();

  function csrfToken(element) {
    var form = element.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function refresh(button) {
    var textarea = document.getElementById(button.dataset.kbPreview);
    var target = document.getElementById(button.dataset.kbPreview + "-preview");
    if (!textarea || !target) {
      return;
    }
    var body = new FormData();
    body.append("body", textarea.value);
    fetch(button.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(button) },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (data) {
        target.innerHTML = data.html; // sanitised by the server
        target.hidden = false;
      })
      .catch(function () {
        target.textContent = button.dataset.error;
        target.hidden = false;
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-preview]");
    if (button) {
      event.preventDefault();
      refresh(button);
    }
  });

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.id) {
      return;
    }
    var button = document.querySelector('[data-kb-preview="' + textarea.id + '"]');
    var target = document.getElementById(textarea.id + "-preview");
    if (!button || !target || target.hidden) {
      return;
    }
    clearTimeout(timers.get(textarea));
    timers.set(textarea, setTimeout(function () { refresh(button); }, 600));
  });
})();
