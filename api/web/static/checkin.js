// The check-in code of a session changes every half minute: reload the page to show the new
// one (the page says how often in data-refresh-seconds; without scripts, a link does it).
(function () {
  "use strict";
  var holder = document.querySelector("[data-refresh-seconds]");
  if (!holder) {
    return;
  }
  var seconds = parseInt(holder.getAttribute("data-refresh-seconds"), 10) || 30;
  window.setTimeout(function () {
    window.location.reload();
  }, seconds * 1000);
})();
