/* The portal's own behaviour, kept out of the templates so the Content-Security-Policy
   can forbid inline scripts, inline event handlers and style attributes.

   - <select data-autosubmit> (or any select in a <form data-autosubmit>) submits its form
     when changed (the language switch).
   - <form data-confirm="…"> and <button data-confirm="…"> ask before submitting.
   - <span data-width="42.5"> is drawn 42.5 % wide (bars; at most 100 %). Setting the width
     through the CSSOM is allowed by a policy without 'unsafe-inline', a style="…" attribute is not.
   - The site menu is a <details>: folded on a phone, open on wider screens.
   - A chart that scrolls sideways on a phone opens on its latest months.
   Each runs on page load and on every piece of content htmx swaps in. */
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 900px)");
  function syncMenu() {
    // portal.css already shows the menu open on wide screens; setting `open` keeps
    // browsers without ::details-content support in step.
    document.querySelectorAll("details[data-site-menu]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }

  function showLatest(root) {
    root.querySelectorAll(".chart-scroll").forEach(function (box) {
      box.scrollLeft = box.scrollWidth;
    });
  }

  function drawBars(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (isNaN(value)) { value = 0; }
      el.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches || !el.matches("select") || !el.form) { return; }
    if (el.hasAttribute("data-autosubmit") || el.form.hasAttribute("data-autosubmit")) {
      el.form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-confirm")) {
      message = submitter.getAttribute("data-confirm");
    }
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("htmx:load", function (event) {
    drawBars(event.detail.elt);
    showLatest(event.detail.elt);
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncMenu();
    drawBars(document);
    showLatest(document);
    if (wide.addEventListener) { wide.addEventListener("change", syncMenu); }
  });
})();
