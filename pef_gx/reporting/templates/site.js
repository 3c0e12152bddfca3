/* pef-gx site script, written for pef-gx (no library, no network): the index's filters, sort, search and
   paging over the rows embedded in the page, and the trend charts' engine/target picker. */
(function () {
  "use strict";
  var STATUS = JSON.parse(document.getElementById("pef-status").textContent);
  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text != null) n.textContent = text;
    return n;
  }
  function pill(key) {
    var s = STATUS[key] || { word: key, icon: "?" };
    return el("span", { "class": "st st-" + key, "data-status": key }, s.icon + " " + s.word);
  }

  /* trend charts: one engine/target at a time */
  Array.prototype.forEach.call(document.querySelectorAll(".trend-pick select"), function (sel) {
    var box = sel.closest("section");
    function show() {
      Array.prototype.forEach.call(box.querySelectorAll("[data-target]"), function (d) {
        d.hidden = d.getAttribute("data-target") !== sel.value;
      });
    }
    sel.addEventListener("change", show); show();
  });

  var data = document.getElementById("pef-rows");
  if (!data) return;
  var packed = JSON.parse(data.textContent), body = document.getElementById("index-body");
  var rows = packed.rows.map(function (p) {
    var s = packed.suites[p[0]], run = packed.runs[p[1]], dims = {}, counts = {}, sev = [];
    packed.dims.forEach(function (d, i) { var c = p[4].charAt(i); if (c !== "-") dims[d] = packed.codes[+c]; });
    packed.codes.forEach(function (k, i) { if (p[3][i]) counts[k] = p[3][i]; });
    if (p[5] & 1) sev.push("error"); if (p[5] & 2) sev.push("warn");
    var docs = p[6] === 0 ? null : (String(p[6]).indexOf("/") >= 0 && String(p[6]).indexOf("validations/") === 0 ? p[6] : "validations/" + s[0] + "/" + run[0] + "/" + p[6]);
    return { suite: s[0], node: s[1], kind: s[2], page: s[3], run_id: run[0], started_at: run[1], when: run[2],
             engine: run[3], status: packed.codes[p[2]], checks: p[3].reduce(function (a, b) { return a + b; }, 0),
             counts: counts, dims: dims, sev: sev, docs: docs, latest: p[7] === 1 };
  });
  var f = {
    model: document.getElementById("f-model"), status: document.getElementById("f-status"),
    dimension: document.getElementById("f-dimension"), severity: document.getElementById("f-severity"),
    engine: document.getElementById("f-engine"), search: document.getElementById("f-search"),
    history: document.getElementById("f-history")
  };
  var names = {}, list = document.getElementById("models-list");
  rows.forEach(function (r) { names[r.node] = 1; });
  Object.keys(names).sort().forEach(function (n) { var o = document.createElement("option"); o.value = n; list.appendChild(o); });
  var PAGE = 50, page = 0, sortKey = "rank", sortDir = 1, shown = [];
  var rank = { error: 0, fail: 1, stale: 2, warn: 3, pass: 4 };
  rows.forEach(function (r) { r.rank = rank[r.status]; r.hay = (r.suite + " " + r.node + " " + r.run_id).toLowerCase(); });
  function keep(r) {
    if (!f.history.checked && !r.latest) return false;
    if (f.model.value && r.node !== f.model.value && r.suite !== f.model.value) return false;
    if (f.engine.value && r.engine !== f.engine.value) return false;
    if (f.severity.value && r.sev.indexOf(f.severity.value) < 0) return false;
    var st = f.dimension.value ? r.dims[f.dimension.value] : r.status;
    if (f.dimension.value && !st) return false;
    if (f.status.value && st !== f.status.value) return false;
    var q = f.search.value.trim().toLowerCase();
    return !q || r.hay.indexOf(q) >= 0;
  }
  function cmp(a, b) {
    var x = a[sortKey], y = b[sortKey];
    if (x === y) { x = a.latest ? 0 : 1; y = b.latest ? 0 : 1; }
    if (x === y) { x = b.started_at; y = a.started_at; }
    if (x === y) { x = a.suite; y = b.suite; }
    return (x < y ? -1 : x > y ? 1 : 0) * (sortKey === "started_at" || sortKey === "checks" ? -sortDir : sortDir);
  }
  function render() {
    shown = rows.filter(keep).sort(cmp);
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(page, pages - 1);
    body.textContent = "";
    shown.slice(page * PAGE, page * PAGE + PAGE).forEach(function (r) {
      var tr = el("tr", { "data-suite": r.suite, "data-status": r.status, "class": r.latest ? "latest" : "hist" });
      var name = el("td", { "class": "name" });
      name.appendChild(el("a", { href: r.page }, r.node));
      name.appendChild(document.createTextNode(" "));
      name.appendChild(el("span", { "class": "kind-tag" }, r.kind));
      tr.appendChild(name);
      var st = el("td"); st.appendChild(pill(r.status)); tr.appendChild(st);
      var c = el("td", { "class": "counts" });
      ["pass", "warn", "stale", "fail", "error"].forEach(function (k) {
        if (r.counts[k]) c.appendChild(el("span", { "class": "st-" + k + "-text", title: STATUS[k].word, style: "color:" + STATUS[k].colour }, STATUS[k].icon + " " + r.counts[k]));
      });
      tr.appendChild(c);
      var sev = el("td"); r.sev.forEach(function (s) { sev.appendChild(el("span", { "class": "sev sev-" + s }, s)); sev.appendChild(document.createTextNode(" ")); }); tr.appendChild(sev);
      tr.appendChild(el("td", {}, r.engine));
      tr.appendChild(el("td", { "class": "num" }, r.when));
      var gx = el("td");
      if (r.docs) gx.appendChild(el("a", { href: r.docs, "class": "gx-link" }, "validation")); else gx.textContent = "–";
      tr.appendChild(gx);
      body.appendChild(tr);
    });
    document.getElementById("pager-text").textContent =
      shown.length ? "rows " + (page * PAGE + 1) + "-" + Math.min(shown.length, page * PAGE + PAGE) + " of " + shown.length + " (page " + (page + 1) + " of " + pages + ")" : "no row matches";
    document.getElementById("pager-prev").disabled = page === 0;
    document.getElementById("pager-next").disabled = page >= pages - 1;
  }
  Object.keys(f).forEach(function (k) { f[k].addEventListener(k === "search" || k === "model" ? "input" : "change", function () { page = 0; render(); }); });
  document.getElementById("f-clear").addEventListener("click", function () {
    Object.keys(f).forEach(function (k) { if (k === "history") f[k].checked = false; else f[k].value = ""; });
    page = 0; render();
  });
  document.getElementById("pager-prev").addEventListener("click", function () { page--; render(); });
  document.getElementById("pager-next").addEventListener("click", function () { page++; render(); });
  Array.prototype.forEach.call(document.querySelectorAll("th[data-sort]"), function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-sort");
      sortDir = key === sortKey ? -sortDir : 1; sortKey = key;
      Array.prototype.forEach.call(document.querySelectorAll("th[data-sort]"), function (o) { o.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(sortDir === 1 ? "sorted-asc" : "sorted-desc");
      render();
    });
  });
  var params = new URLSearchParams(window.location.search);
  Object.keys(f).forEach(function (k) { if (params.has(k)) { if (k === "history") f[k].checked = params.get(k) === "1"; else f[k].value = params.get(k); } });
  if (params.has("page")) page = Math.max(0, (parseInt(params.get("page"), 10) || 1) - 1);
  render();
  document.body.setAttribute("data-ready", "1");
})();
