// Copy buttons for addresses in readonly fields (progressive enhancement).
//
// Markup: <input id="x" readonly value="…"> and <button type="button" class="copy-button" data-copy="x"
// hidden><span class="copy-label">Copy</span></button>; one <p class="copy-status" role="status"> on the
// page carries the translated texts (data-copied, data-announce, data-selected) and announces the result.
// Without this script the buttons stay hidden and the field can be selected and copied by hand.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  var buttons = document.querySelectorAll("button.copy-button[data-copy]");
  if (!status || !buttons.length) {
    return;
  }

  function announce(text) {
    // Emptied first, so the same text is announced again on a second copy.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function copied(button) {
    var label = button.querySelector(".copy-label");
    if (!button.dataset.label) {
      button.dataset.label = label.textContent;
    }
    label.textContent = status.dataset.copied;
    announce(status.dataset.announce);
    window.clearTimeout(button.copyTimer);
    button.copyTimer = window.setTimeout(function () { label.textContent = button.dataset.label; }, 3000);
  }

  function fallback(field, button) {
    // Older browsers and pages without HTTPS have no asynchronous clipboard.
    field.focus();
    field.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    if (ok) {
      copied(button);
    } else {
      announce(status.dataset.selected);
    }
  }

  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(button); },
          function () { fallback(field, button); }
        );
      } else {
        fallback(field, button);
      }
    });
  });

  // A tap into an address selects all of it, ready to copy by hand.
  Array.prototype.forEach.call(document.querySelectorAll("input.address[readonly]"), function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
