// CIMIS Hub: a filter panel (<details class="filters" data-open-wide>) starts open on wide screens, where it
// sits in a side column; on phones it stays one closed line above the results. Without JavaScript the
// panel is one tap away everywhere.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(min-width: 64rem)").matches) return;
  document.querySelectorAll("details.filters[data-open-wide]").forEach(function (panel) {
    panel.setAttribute("open", "");
  });
})();
