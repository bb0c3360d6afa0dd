/* The circulation desk, keyboard first: the scan field keeps the focus after every htmx
   swap; F2 lend, F3 return, F4 renew, F7 holds; Esc cancels an override or ends the reader. */
(function () {
  "use strict";
  function focusScan() {
    var wanted = document.querySelector("[data-desk-focus]");
    if (wanted) {
      wanted.removeAttribute("data-desk-focus");
      wanted.focus();
      return;
    }
    var field = document.getElementById("scan");
    if (field) { field.focus(); field.select(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var link = document.querySelector('[data-desk-key="' + event.key + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
      return;
    }
    if (event.key === "Escape") {
      var confirm = document.querySelector("[data-desk-confirm]");
      if (confirm) {
        event.preventDefault();
        confirm.remove();
        focusScan();
        return;
      }
      var done = document.querySelector("[data-desk-done]");
      if (done) { event.preventDefault(); done.click(); }
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form[data-desk-scan]")) form.reset();
  });
  document.addEventListener("htmx:afterSettle", focusScan);
  document.addEventListener("DOMContentLoaded", focusScan);
})();
