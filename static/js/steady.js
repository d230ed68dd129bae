// Nothing moves under a press. An answer that comes in while a finger or mouse button is
// down (the e-mail field's check, sent when the person leaves the field by tapping the
// next one) would shift what lies below it, and the tap would end beside its target.
// Requests from elements marked data-steady therefore wait with their swap until the
// press has ended and its click has been delivered.
(function () {
  "use strict";
  var pressed = false;
  var waiting = [];

  function release() {
    pressed = false;
    // the click of this press is dispatched right after the release, before this runs
    window.setTimeout(function () {
      while (waiting.length) waiting.shift()();
    }, 0);
  }

  document.addEventListener("pointerdown", function () { pressed = true; }, true);
  document.addEventListener("pointerup", release, true);
  document.addEventListener("pointercancel", release, true);
  window.addEventListener("blur", release);  // a press that ends outside the page

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var source = detail.requestConfig && detail.requestConfig.elt;
    if (!pressed || !source || !source.hasAttribute("data-steady") || !detail.shouldSwap) return;
    detail.shouldSwap = false;
    var style = (source.getAttribute("hx-swap") || "innerHTML").split(" ")[0];
    var target = detail.target;
    var content = detail.serverResponse;
    waiting.push(function () {
      if (target.isConnected) htmx.swap(target, content, { swapStyle: style });
    });
  });
})();
