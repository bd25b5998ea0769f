// A conversation opens at its newest message (the page works without this: the form is below the thread).
(function () {
  "use strict";
  if (window.location.hash) return;
  var end = document.getElementById("end");
  if (end && end.scrollIntoView) end.scrollIntoView({ block: "end" });
})();
