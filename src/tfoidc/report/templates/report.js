(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = { create: "#2b8a3e", update: "#e67700", replace: "#d9480f", delete: "#c92a2a",
    forget: "#1864ab", "replace-forget": "#1864ab", "no-op": "#868e96", read: "#5f3dc4" };
  var FILLS = { create: "#d3f9d8", update: "#fff3bf", replace: "#ffe8cc", delete: "#ffe3e3",
    forget: "#e7f5ff", "replace-forget": "#e7f5ff", "no-op": "#f1f3f5", read: "#f3f0ff" };
  var NODE_W = 220, NODE_H = 26, COL_GAP = 60, ROW_GAP = 12, MIN_ROWS = 12, MIN_FIT = 0.35, TOP = 48; // TOP: below the toolbar

  var data = JSON.parse(document.getElementById("tfoidc-data").textContent);
  var svg = document.getElementById("graph");
  var details = document.getElementById("details");
  var wiring = document.getElementById("show-wiring");
  var byId = {}, dependsOn = {}, requiredBy = {}, shownNodes = [], shownEdges = [], layers = [], col = 0, rowsMax = 1;
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  var defs = el("defs", {}, svg);
  var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
    markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" }, defs);
  el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#adb5bd" }, marker);
  var world = el("g", { id: "world" }, svg);
  var edgeEls = [], nodeEls = {}, pos = {};

  // By default only resources are drawn, with dependencies through variables, outputs and module
  // calls folded into resource-to-resource edges; the checkbox shows the full wiring.
  // Above GROUP_AT resources the graph starts grouped: one box per top-level module call (and per
  // resource block with many instances), coloured by the most destructive change inside; a click on
  // a group opens it, a search or a click elsewhere opens the group of what it finds.
  var GROUP_AT = 400, RANK = { "delete": 6, "replace": 5, "replace-forget": 4, "update": 3, "create": 2, "forget": 1, "read": 0, "no-op": -1 };
  var chainOf = {}, groups = {}, openGroups = {}, grouped = false, MANY_CALLS = 150;
  (function () {
    var resources = data.nodes.filter(function (n) { return n.kind === "resource"; });
    if (resources.length <= GROUP_AT) return;
    grouped = true;
    // Two levels: module calls (keys dropped: module.app["a"] and module.app["b"] are module.app) or
    // a resource block's instances; above MANY_CALLS of them, calls whose names differ only in
    // digits (module.stack_0001 ... module.stack_1667) are grouped again as module.stack_#.
    var call = {}, calls = {};
    resources.forEach(function (n) {
      var m = /^(module\.[^.\[]+)/.exec(n.id);
      call[n.id] = m ? m[1] : n.id.replace(/\[[^\]]*\]$/, "[*]");
      calls[call[n.id]] = (calls[call[n.id]] || 0) + 1;
    });
    var patterned = Object.keys(calls).length > MANY_CALLS;
    var members = {};
    resources.forEach(function (n) {
      var chain = [];
      if (patterned) chain.push("group:" + call[n.id].replace(/[0-9]+/g, "#"));
      if (calls[call[n.id]] > 1) chain.push("group:" + call[n.id]);
      chainOf[n.id] = chain;
      chain.forEach(function (g) { (members[g] = members[g] || []).push(n); });
    });
    Object.keys(members).forEach(function (g) {
      var ms = members[g], counts = {}, worst = "no-op";
      ms.forEach(function (n) {
        counts[n.action] = (counts[n.action] || 0) + 1;
        if ((RANK[n.action] || 0) > (RANK[worst] || 0)) worst = n.action;
      });
      groups[g] = { id: g, kind: "group", label: g.slice(6), action: worst, members: ms.length, counts: counts, type: "", module: g.slice(6) };
    });
    // A pattern that stands for one call only is that call.
    resources.forEach(function (n) {
      var c = chainOf[n.id];
      if (c.length === 2 && groups[c[0]].members === groups[c[1]].members) c.shift();
    });
  })();
  function displayOf(id) {
    var chain = chainOf[id] || [];
    for (var i = 0; i < chain.length; i++) if (!openGroups[chain[i]]) return chain[i];
    return id;
  }
  function openFor(id) { (chainOf[id] || []).forEach(function (g) { openGroups[g] = true; }); }
  function draw() {
    var full = wiring && wiring.checked;
    var base = data.nodes.filter(function (n) { return full || n.kind === "resource"; });
    var edges = full ? data.edges : data.resource_edges;
    if (grouped && !full) {
      var seenGroup = {};
      shownNodes = [];
      base.forEach(function (n) {
        var d = displayOf(n.id);
        if (d === n.id) shownNodes.push(n);
        else if (!seenGroup[d]) { seenGroup[d] = true; shownNodes.push(groups[d]); }
      });
      var seenEdge = {};
      edges = edges.map(function (e) { return [displayOf(e[0]), displayOf(e[1])]; }).filter(function (e) {
        var k = e[0] + "\u0000" + e[1];
        if (e[0] === e[1] || seenEdge[k]) return false;
        seenEdge[k] = true; return true;
      });
    } else {
      shownNodes = base;
    }
    shownEdges = edges;
    dependsOn = {}; requiredBy = {};
    shownNodes.forEach(function (n) { dependsOn[n.id] = []; requiredBy[n.id] = []; });
    edges.forEach(function (e) {
      if (dependsOn[e[0]] && dependsOn[e[1]]) { dependsOn[e[0]].push(e[1]); requiredBy[e[1]].push(e[0]); }
    });
    var info = document.getElementById("group-info");
    if (info) {
      var boxes = shownNodes.filter(function (n) { return n.kind === "group"; }).length;
      info.hidden = !grouped;
      info.textContent = boxes + " groups of resources drawn (click one to open it)";
    }
    // Layered layout: a node sits one column right of the deepest thing it depends on.
    var layer = {}, visiting = {};
    function depth(id) {
      if (layer[id] !== undefined) return layer[id];
      if (visiting[id]) return 0; // a cycle: cut it here
      visiting[id] = true;
      var d = 0;
      dependsOn[id].forEach(function (t) { d = Math.max(d, depth(t) + 1); });
      visiting[id] = false;
      layer[id] = d;
      return d;
    }
    layers = [];
    shownNodes.forEach(function (n) { var d = depth(n.id); (layers[d] = layers[d] || []).push(n); });
    var maxRows = Math.max(MIN_ROWS, Math.ceil(Math.sqrt(shownNodes.length) * 2.5));
    pos = {};
    col = 0; rowsMax = 1;
    layers.forEach(function (nodes) {
      if (!nodes) return;
      nodes.sort(function (a, b) { return ((a.module || "") + a.id).localeCompare((b.module || "") + b.id); });
      nodes.forEach(function (n, i) {
        var c = col + Math.floor(i / maxRows), r = i % maxRows;
        pos[n.id] = { x: c * (NODE_W + COL_GAP), y: r * (NODE_H + ROW_GAP) };
        rowsMax = Math.max(rowsMax, r + 1);
      });
      col += Math.ceil(nodes.length / maxRows);
    });
    world.replaceChildren();
    edgeEls = []; nodeEls = {};
    shownEdges.forEach(function (e) {
      var a = pos[e[0]], b = pos[e[1]];
      if (!a || !b) return;
      var x1 = a.x, y1 = a.y + NODE_H / 2, x2 = b.x + NODE_W, y2 = b.y + NODE_H / 2, mx = (x1 + x2) / 2;
      var p = el("path", { "class": "edge", d: "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2,
        "marker-end": "url(#arrow)" }, world);
      p.dataset.from = e[0]; p.dataset.to = e[1];
      edgeEls.push(p);
    });
    shownNodes.forEach(function (n) {
      var p = pos[n.id];
      var g = el("g", { "class": "node", transform: "translate(" + p.x + "," + p.y + ")", tabindex: "0" }, world);
      g.dataset.id = n.id; g.dataset.action = n.action;
      el("rect", { width: NODE_W, height: NODE_H, fill: FILLS[n.action] || "#fff", stroke: COLORS[n.action] || "#495057" }, g);
      var label = n.kind === "group" ? "▸ " + n.label + " (" + n.members + ")" : shortLabel(n.id);
      el("text", { x: 8, y: 17 }, g).textContent = label;
      var tip = n.kind === "group"
        ? n.label + ": " + Object.keys(n.counts).map(function (a) { return n.counts[a] + " " + a; }).join(", ")
        : n.id + " (" + n.action + ")";
      el("title", {}, g).textContent = tip;
      if (n.kind === "group") {
        g.classList.add("group");
        g.addEventListener("click", function (ev) { ev.stopPropagation(); openGroups[n.id] = true; redraw(); });
        g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { openGroups[n.id] = true; redraw(); } });
      } else {
        g.addEventListener("click", function (ev) { ev.stopPropagation(); select(n.id); });
        g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") select(n.id); });
      }
      nodeEls[n.id] = g;
    });
  }

  // A label that keeps both ends: the module path's start and the resource's name.
  function shortLabel(id) {
    if (id.length <= 34) return id;
    return id.slice(0, 12) + "…" + id.slice(id.length - 21);
  }
  function redraw() { draw(); filter(); }

  // Pan and zoom: one transform on the world group.
  var view = { x: 20, y: TOP, k: 1 };
  function apply() { world.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")"); }
  function zoomAt(factor, cx, cy) {
    var k = Math.min(4, Math.max(0.05, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k); view.y = cy - (cy - view.y) * (k / view.k); view.k = k; apply();
  }
  function fit() {
    // Fit the drawing, but never so small that labels cannot be read: pan or zoom out for the rest.
    var box = svg.getBoundingClientRect(), w = Math.max(1, col) * (NODE_W + COL_GAP) - COL_GAP;
    var h = rowsMax * (NODE_H + ROW_GAP);
    view.k = Math.min(1, Math.max(MIN_FIT, Math.min((box.width - 40) / w, (box.height - TOP - 20) / h)));
    view.x = 20; view.y = TOP; apply();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (ev) {
    if (ev.target.closest && ev.target.closest(".node")) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y }; svg.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    view.x = drag.vx + ev.clientX - drag.x; view.y = drag.vy + ev.clientY - drag.y; apply();
  });
  window.addEventListener("pointerup", function () { drag = null; svg.classList.remove("dragging"); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(1.25, 200, 150); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(0.8, 200, 150); });
  document.getElementById("zoom-fit").addEventListener("click", fit);

  function text(tag, content, cls) { var e = document.createElement(tag); e.textContent = content; if (cls) e.className = cls; return e; }
  function list(title, ids) {
    var frag = document.createDocumentFragment();
    frag.appendChild(text("h4", title + " (" + ids.length + ")"));
    if (!ids.length) return frag;
    var ul = document.createElement("ul");
    ids.forEach(function (id) {
      var li = document.createElement("li"), a = text("a", id);
      a.href = "#graph-section"; a.addEventListener("click", function (ev) { ev.preventDefault(); select(id); });
      li.appendChild(a); ul.appendChild(li);
    });
    frag.appendChild(ul);
    return frag;
  }
  function select(id) {
    var n = byId[id];
    if (!n) return;
    if (!nodeEls[id] && displayOf(id) !== id) { openFor(id); redraw(); }
    if (!nodeEls[id] && wiring && !wiring.checked) { wiring.checked = true; draw(); filter(); fit(); }
    Object.keys(nodeEls).forEach(function (k) { nodeEls[k].classList.toggle("selected", k === id); });
    reveal(id);
    edgeEls.forEach(function (e) { e.classList.toggle("hl", e.dataset.from === id || e.dataset.to === id); });
    details.replaceChildren();
    details.appendChild(text("h3", n.id));
    var meta = document.createElement("p");
    meta.appendChild(text("span", n.action, "badge a-" + n.action));
    meta.appendChild(document.createTextNode(" · " + n.type + (n.module ? " · " + n.module : "")));
    details.appendChild(meta);
    if (n.forced_by && n.forced_by.length) details.appendChild(text("p", "Replaced because of: " + n.forced_by.join(", ")));
    if (n.reason) details.appendChild(text("p", "Reason: " + n.reason));
    if (n.diff && n.diff.length) {
      var pre = document.createElement("pre");
      n.diff.forEach(function (c) {
        if (c.before !== null) pre.appendChild(text("div", "- " + c.path + " = " + c.before, "del"));
        if (c.after !== null) pre.appendChild(text("div", "+ " + c.path + " = " + c.after, "add"));
      });
      details.appendChild(text("h4", "Changed attributes"));
      details.appendChild(pre);
    }
    var fs = data.findings.filter(function (f) { return f.address === id; });
    if (fs.length) {
      details.appendChild(text("h4", "Findings"));
      fs.forEach(function (f) { details.appendChild(text("p", "[" + f.severity + "] " + f.rule + ": " + f.message)); });
    }
    details.appendChild(list("Depends on", dependsOn[id]));
    details.appendChild(list("Required by", requiredBy[id]));
  }

  // Change list filter: by text (address or type) and action; the graph dims what is filtered out.
  var rows = Array.prototype.slice.call(document.querySelectorAll("#change-list tbody tr"));
  var textInput = document.getElementById("filter-text"), actionSel = document.getElementById("filter-action");
  var counter = document.getElementById("filter-count");
  // Bring a node into view when a filter or a click in the change list picks one off-screen.
  function reveal(id) {
    var p = pos[id];
    if (!p) return;
    var box = svg.getBoundingClientRect();
    var sx = view.x + p.x * view.k, sy = view.y + p.y * view.k;
    if (sx >= 0 && sy >= TOP && sx + NODE_W * view.k <= box.width && sy + NODE_H * view.k <= box.height) return;
    view.x = box.width / 2 - (p.x + NODE_W / 2) * view.k;
    view.y = box.height / 2 - (p.y + NODE_H / 2) * view.k;
    apply();
  }
  var PAGE = 100, page = 0, matched = [];
  function showPage() {
    var pages = Math.max(1, Math.ceil(matched.length / PAGE));
    page = Math.min(Math.max(0, page), pages - 1);
    var from = page * PAGE, to = Math.min(matched.length, from + PAGE);
    rows.forEach(function (r) { r.hidden = true; });
    for (var i = from; i < to; i++) matched[i].hidden = false;
    document.getElementById("page-info").textContent = matched.length ? (from + 1) + "–" + to + " of " + matched.length : "";
    document.getElementById("page-prev").disabled = page === 0;
    document.getElementById("page-next").disabled = page >= pages - 1;
  }
  document.getElementById("page-prev").addEventListener("click", function () { page--; showPage(); });
  document.getElementById("page-next").addEventListener("click", function () { page++; showPage(); });
  function filter() {
    var q = textInput.value.trim().toLowerCase(), act = actionSel.value, shown = 0, filtering = q || act;
    var first = null;
    matched = rows.filter(function (r) {
      return (!act || r.dataset.action === act) &&
        (!q || r.dataset.address.toLowerCase().indexOf(q) >= 0 || r.dataset.type.toLowerCase().indexOf(q) >= 0);
    });
    shown = matched.length;
    page = 0;
    showPage();
    Object.keys(nodeEls).forEach(function (id) {
      var n = byId[id] || groups[id];
      var ok = !filtering || ((!act || n.action === act) && (!q || id.toLowerCase().indexOf(q) >= 0 || (n.type || "").toLowerCase().indexOf(q) >= 0));
      nodeEls[id].classList.toggle("dim", !ok);
      if (ok && filtering && first === null) first = id;
    });
    counter.textContent = shown + " of " + rows.length + " shown";
    if (first !== null) reveal(first);
  }
  var search = document.getElementById("graph-search"), addresses = document.getElementById("graph-addresses");
  if (search) {
    var opts = document.createDocumentFragment();
    data.nodes.slice(0, 20000).forEach(function (n) {
      if (n.kind !== "resource") return;
      var o = document.createElement("option"); o.value = n.id; opts.appendChild(o);
    });
    addresses.appendChild(opts);
    function find() {
      var q = search.value.trim();
      if (!q) return;
      if (byId[q]) { select(q); return; }
      var lower = q.toLowerCase();
      var hit = data.nodes.find(function (n) { return n.kind === "resource" && n.id.toLowerCase().indexOf(lower) >= 0; });
      if (hit) select(hit.id);
    }
    search.addEventListener("change", find);
    search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") find(); });
  }
  textInput.addEventListener("input", filter);
  actionSel.addEventListener("change", filter);
  rows.forEach(function (r) {
    r.querySelector("a.addr").addEventListener("click", function (ev) { ev.preventDefault(); select(r.dataset.address); });
  });
  if (wiring) wiring.addEventListener("change", function () { draw(); filter(); fit(); });
  draw();
  filter();
  fit();
  document.body.dataset.graphReady = "true";
})();
