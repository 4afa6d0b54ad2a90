/* A form the server refused comes back with each reason under its field (the field macro, templates/_macros.html,
 * marks the field aria-invalid): bring the first field to correct into view and put the cursor in it, so that on a
 * phone the reason is on screen next to its field, not two screens below the notice at the top of the page.
 * Loaded after be-date.js, which moves a date field into its wrapper first (moving a focused field would blur it).
 */
(function () {
  "use strict";

  function start() {
    var field = document.querySelector("[aria-invalid='true']");
    if (!field) { return; }
    (field.closest(".field") || field).scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
