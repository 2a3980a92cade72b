/* Side-by-side view: hovering or focusing a sentence highlights it and its counterpart in the
   other language (both get .is-linked). Sentences are `.parallel [data-pair]` elements; the two
   halves of a pair share the data-pair value. Listeners sit on `document` (event delegation), so
   pages swapped in by Material's instant navigation work without re-initialisation.
   No dependencies, no network. */
(function () {
  "use strict";

  var LINKED = "is-linked";
  var hovered = null; // the sentence under the mouse pointer
  var focused = null; // the sentence with keyboard focus

  function sentence(node) {
    if (!node || node.nodeType !== 1 || !node.closest) return null;
    var el = node.closest("[data-pair]");
    return el && el.closest(".parallel") ? el : null;
  }

  function mark(el) {
    if (!el || !el.isConnected) return;
    var id = el.getAttribute("data-pair");
    var all = el.closest(".parallel").querySelectorAll("[data-pair]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-pair") === id) all[i].classList.add(LINKED);
    }
  }

  function update() {
    var old = document.querySelectorAll(".parallel ." + LINKED);
    for (var i = 0; i < old.length; i++) old[i].classList.remove(LINKED);
    mark(hovered);
    mark(focused);
  }

  document.addEventListener("mouseover", function (event) {
    var el = sentence(event.target);
    if (el !== hovered) { hovered = el; update(); }
  });
  document.addEventListener("mouseout", function (event) {
    if (hovered && sentence(event.relatedTarget) !== hovered) { hovered = null; update(); }
  });
  document.addEventListener("focusin", function (event) {
    var el = sentence(event.target);
    if (el !== focused) { focused = el; update(); }
  });
  document.addEventListener("focusout", function (event) {
    if (focused && sentence(event.relatedTarget) !== focused) { focused = null; update(); }
  });
})();
