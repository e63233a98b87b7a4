/* Partner portal: small behaviours that must not live inline (Content-Security-Policy). */
(function () {
  "use strict";

  // The site menu is a <details>: folded on a phone, open on wider screens.
  // portal.css already shows it open there; setting `open` keeps browsers
  // without ::details-content support in step.
  var wide = window.matchMedia("(min-width: 900px)");
  function syncMenu() {
    document.querySelectorAll("details[data-site-menu]").forEach(function (menu) {
      menu.open = wide.matches;
    });
  }

  // Forms marked data-autosubmit submit when a select changes (the language switch).
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit") && event.target.tagName === "SELECT") {
      form.submit();
    }
  });

  // A chart that scrolls sideways on a phone opens on its latest months.
  function showLatest() {
    document.querySelectorAll(".chart-scroll").forEach(function (box) {
      box.scrollLeft = box.scrollWidth;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncMenu();
    showLatest();
    if (wide.addEventListener) { wide.addEventListener("change", syncMenu); }
  });
})();
