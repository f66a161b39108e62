// Document explorer: filter the inlined JSON array client-side. Cells are built with
// textContent only, so scraped titles can never become markup.
(function () {
  "use strict";
  var MAX_ROWS = 500;  // render cap: filtering covers all documents, the DOM stays small
  var docs = JSON.parse(document.getElementById("docs-data").textContent);
  var tbody = document.querySelector("#docs tbody");
  var count = document.getElementById("count");
  var q = document.getElementById("q");
  var fType = document.getElementById("f-type");
  var fRegion = document.getElementById("f-region");
  var fYear = document.getElementById("f-year");
  var fFlag = document.getElementById("f-flag");
  docs.forEach(function (d) {
    d._haystack = [d.title, d.region, d.issuer, d.site, d.type, d.flags].join(" ").toLowerCase();
    d._flags = d.flags ? d.flags.split(",").map(function (f) { return f.trim(); }) : [];
  });

  function cell(tr, text) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    tr.appendChild(td);
    return td;
  }

  function matches(d, terms) {
    if (fType.value && d.type !== fType.value) return false;
    if (fRegion.value && d.region !== fRegion.value) return false;
    if (fYear.value && d.date.slice(0, 4) !== fYear.value) return false;
    if (fFlag.value === "*" && !d._flags.length) return false;
    if (fFlag.value === "-" && d._flags.length) return false;
    if (fFlag.value && fFlag.value !== "*" && fFlag.value !== "-" &&
        d._flags.indexOf(fFlag.value) < 0) return false;
    for (var i = 0; i < terms.length; i++) {
      if (d._haystack.indexOf(terms[i]) < 0) return false;
    }
    return true;
  }

  function render() {
    var terms = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var hits = docs.filter(function (d) { return matches(d, terms); });
    var frag = document.createDocumentFragment();
    hits.slice(0, MAX_ROWS).forEach(function (d) {
      var tr = document.createElement("tr");
      var title = cell(tr, "");
      var a = document.createElement("a");
      a.textContent = d.title;
      if (d.page) { a.href = d.page; } else if (d.url) { a.href = d.url; a.rel = "noopener noreferrer"; }
      title.appendChild(a);
      cell(tr, d.region); cell(tr, d.type); cell(tr, d.period); cell(tr, d.date);
      cell(tr, d.tasks).className = "n"; cell(tr, d.flags); cell(tr, d.site);
      frag.appendChild(tr);
    });
    tbody.replaceChildren(frag);
    count.textContent = hits.length + " of " + docs.length + " documents" +
      (hits.length > MAX_ROWS ? " (first " + MAX_ROWS + " shown)" : "");
  }

  [q, fType, fRegion, fYear, fFlag].forEach(function (el) {
    el.addEventListener(el === q ? "input" : "change", render);
  });
  render();
})();
