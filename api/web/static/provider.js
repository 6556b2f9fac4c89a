// The provider's console: the ID number of the enrolment form checked as it is typed
// (length, form and the GB 11643 MOD 11-2 check character). An improvement only: the form
// works without it and the server decides. The words come from the form's data attributes,
// in the page's language.
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function valid(value) {
    if (!/^\d{17}[\dX]$/.test(value)) {
      return false;
    }
    var sum = 0;
    for (var i = 0; i < 17; i += 1) {
      sum += Number(value.charAt(i)) * WEIGHTS[i];
    }
    return CHECK.charAt(sum % 11) === value.charAt(17);
  }

  var forms = document.querySelectorAll("form[data-id-check]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input[name=id_number]");
    var live = form.querySelector("[data-id-live]");
    if (!input || !live) {
      return;
    }
    function check() {
      var value = input.value.replace(/\s+/g, "").toUpperCase();
      if (value.length < 18) {
        live.textContent = "";
      } else {
        live.textContent = valid(value) ? form.dataset.idOk : form.dataset.idBad;
      }
    }
    input.addEventListener("input", check);
    // A number typed (or restored by the browser) before this deferred script ran is
    // checked too: on a slow phone the clerk may start typing before the page has loaded.
    check();
  });
})();
