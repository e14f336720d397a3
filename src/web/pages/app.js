// clientele console: progressive enhancement only. Every page works without this script.
// - "Select all shown" becomes a check box (the no-script fallback is a link to ?select=all);
// - the number of ticked customers is announced next to the list summary;
// - "Select all N matching this filter" appears once every shown customer is ticked;
// - buttons with data-confirm ask before they submit;
// - an error summary takes the focus so keyboard and screen-reader users land on it.
(function () {
  "use strict";

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function setUpSelection() {
    var form = document.getElementById("list-form");
    var master = document.getElementById("select-all");
    if (!form || !master) {
      return;
    }
    var link = document.getElementById("select-all-link");
    var count = document.getElementById("selected-count");
    var boxes = form.querySelectorAll('input[type="checkbox"][name="ids"]');
    var matching = document.getElementById("select-matching-box");
    var matchBox = document.getElementById("select-matching");
    master.hidden = false;
    if (link) {
      link.hidden = true;
    }
    function update() {
      var ticked = 0;
      each(boxes, function (b) {
        if (b.checked) {
          ticked += 1;
        }
      });
      master.checked = ticked > 0 && ticked === boxes.length;
      master.indeterminate = ticked > 0 && ticked < boxes.length;
      if (matching) {
        matching.hidden = !master.checked;
        if (!master.checked) {
          matchBox.checked = false;
        }
      }
      if (count) {
        if (matchBox && matchBox.checked) {
          count.textContent = " · all " + matchBox.getAttribute("data-total") + " matching selected";
        } else {
          count.textContent = ticked ? " · " + ticked + " selected" : "";
        }
      }
    }
    if (matchBox) {
      matchBox.addEventListener("change", update);
    }
    master.addEventListener("change", function () {
      each(boxes, function (b) {
        b.checked = master.checked;
      });
      update();
    });
    each(boxes, function (b) {
      b.addEventListener("change", update);
    });
    update();
  }

  function setUpConfirm() {
    document.addEventListener("click", function (event) {
      var target = event.target;
      var button = target && target.closest ? target.closest("[data-confirm]") : null;
      if (button && !window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary") || document.getElementById("detail-error");
    if (summary) {
      summary.focus();
    }
  }

  function start() {
    setUpSelection();
    setUpConfirm();
    focusErrors();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
