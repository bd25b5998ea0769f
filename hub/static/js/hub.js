// CIMIS Hub: small enhancements on top of pages that work without JavaScript.
// The menu (a <details>) closes on Escape and on a click outside it.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.site-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.site-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
})();

// A filter panel marked data-open-wide (<details class="panel filters" data-open-wide>) starts open on wide
// screens, where it sits in a side column; on phones it stays one closed line above the results.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 64rem)").matches) return;
  document.querySelectorAll("details.filters[data-open-wide]").forEach(function (panel) {
    panel.setAttribute("open", "");
  });
})();
