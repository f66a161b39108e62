// Draw every chart on the page from its inlined JSON spec (plotly.min.js loaded before).
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".chart[data-spec]"));
  var drawn = boxes.map(function (el) {
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    return Plotly.newPlot(el, spec.data, spec.layout, {
      responsive: true, displaylogo: false, typesetMath: false
    });
  });
  // Lets tests and screenshots wait for the last chart instead of sleeping.
  Promise.all(drawn).then(function () {
    document.body.setAttribute("data-charts-ready", String(boxes.length));
  });
})();
