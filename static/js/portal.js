/* The portal's own behaviour, kept out of the templates so the Content-Security-Policy
   can forbid inline scripts, inline event handlers and style attributes.

   1. Confirmation: a form or submit button with `data-confirm="…"` asks in the page's
      <dialog id="confirm-dialog"> before it is sent (htmx forms too). Without JavaScript the
      server shows a confirmation page instead, where one is needed (team deactivation).
      A form with a `data-confirm-field` input gets it set to "1" once confirmed.
   2. Copy: a button with `data-copy-target="#id"` copies that field's value with the
      clipboard API; where that is refused, it selects the text for Ctrl+C / long-press.
   3. <select data-autosubmit> (or any select in a <form data-autosubmit>) submits its form
      when changed (the language switch).
   4. <span data-width="42.5"> is drawn 42.5 % wide (bars; at most 100 %). Setting the width
      through the CSSOM is allowed by a policy without 'unsafe-inline', a style="…" attribute is not.
   5. The site menu is a <details>: folded on a phone, open on wider screens.
   6. A chart that scrolls sideways on a phone opens on its latest months.
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

  function confirmMessage(form, submitter) {
    if (submitter && submitter.dataset && submitter.dataset.confirm) return submitter.dataset.confirm;
    return form.dataset.confirm || "";
  }

  function askInDialog(message, confirmLabel) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return Promise.resolve(window.confirm(message));
    }
    dialog.querySelector("[data-confirm-message]").textContent = message;
    var ok = dialog.querySelector("[data-confirm-ok]");
    ok.textContent = confirmLabel || ok.dataset.defaultLabel;
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        resolve(dialog.returnValue === "ok");
      });
    });
  }

  // Capture phase on the document: runs before htmx's own submit listener on the form.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var submitter = event.submitter || null;
      var message = confirmMessage(form, submitter);
      if (!message) return;
      if (form.dataset.confirmed === "1") {
        delete form.dataset.confirmed;
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      var label = (submitter && submitter.dataset.confirmLabel) || form.dataset.confirmLabel || "";
      askInDialog(message, label).then(function (yes) {
        if (!yes) return;
        var field = form.querySelector("[data-confirm-field]");
        if (field) field.value = "1";
        form.dataset.confirmed = "1";
        if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined);
        else form.submit();
      });
    },
    true
  );

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) return;
    var field = document.querySelector(button.dataset.copyTarget);
    if (!field) return;
    var done = function () {
      button.textContent = button.dataset.copied || button.textContent;
    };
    var fallback = function () {
      field.focus();
      field.select();
      try {
        if (document.execCommand("copy")) done();
      } catch (e) {
        /* the text stays selected for the person to copy */
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });

  function reveal(root) {
    (root || document).querySelectorAll("[data-copy-target][hidden]").forEach(function (button) {
      button.hidden = false;
    });
    (root || document).querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { reveal(); });
  else reveal();
  document.addEventListener("htmx:afterSwap", function (event) {
    reveal(event.target);
  });
})();
