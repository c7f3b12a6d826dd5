/*
 * The demo "Akvo Flow" page (portal/widget_demo.py) tells the help widget who is signed in
 * and where, as a real product page would after widget.js is loaded.
 */
(function () {
  "use strict";
  window.HelpdeskWidget.setContext({
    name: "Ana Demo",
    email: "ana.demo@example.org",
    instance: "demo.akvoflow.org",
    pageUrl: window.location.href,
    appVersion: "2.18.1",
    fields: { survey: "Household survey 2026", folder: "Kenya / Baseline" }
  });
})();
