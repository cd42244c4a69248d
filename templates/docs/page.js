/* stubforge docs page: search, collapsible groups, a sidebar that follows the reader.
   The page's CSP allows this script only, by its hash. Spec text never becomes markup here:
   results are built with textContent; the index is JSON in a data block, read with JSON.parse. */
(function () {
  "use strict";
  var doc = document;
  var nav = doc.querySelector("nav.toc");
  var data = doc.getElementById("search-index");
  if (!nav || !data) return;
  var groups = nav.querySelectorAll("details");
  var links = nav.querySelectorAll("li > a[href^='#']");
  var byId = Object.create(null);
  for (var i = 0; i < links.length; i++) byId[links[i].getAttribute("href").slice(1)] = links[i];

  /* --- Collapsible groups: <details>; an anchor inside a closed one opens it. --- */
  var pinned = null;  // where a link or a typed address took the reader, until they scroll
  function targetOf(hash) {
    if (!hash || hash.length < 2) return null;
    var id = hash.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep it as written */ }
    return doc.getElementById(id);
  }
  function reveal(el) {
    var opened = false;
    for (var node = el; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { node.open = true; opened = true; }
    }
    var own = el.firstElementChild;
    if (el.tagName === "SECTION" && own && own.tagName === "DETAILS" && !own.open) { own.open = true; opened = true; }
    return opened;
  }
  doc.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    var el = link && targetOf(link.getAttribute("href"));
    if (!el) return;
    reveal(el);
    if (byId[el.id]) { pinned = el; mark(byId[el.id]); }
  });
  function unpin() { pinned = null; }
  window.addEventListener("wheel", unpin, { passive: true });
  window.addEventListener("touchmove", unpin, { passive: true });
  window.addEventListener("keydown", unpin);
  function showHash() {
    var el = targetOf(location.hash);
    if (!el) return;
    if (reveal(el)) el.scrollIntoView();
    if (byId[el.id]) { pinned = el; mark(byId[el.id]); }
  }
  window.addEventListener("hashchange", showHash);
  window.addEventListener("beforeprint", function () {
    var closed = doc.querySelectorAll("main details:not([open])");
    for (var i = 0; i < closed.length; i++) closed[i].open = true;
  });
  var touched = typeof WeakSet === "function" ? new WeakSet() : null;
  nav.addEventListener("click", function (event) {
    var summary = event.target.closest ? event.target.closest("summary") : null;
    if (summary && touched && !event.target.closest("a")) touched.add(summary.parentElement);  // folded or opened by hand
  });
  if (links.length > 60) {  // a long sidebar starts folded; the group being read opens
    for (var g = 0; g < groups.length; g++) groups[g].open = false;
  }

  /* --- Search: operations, paths, models and fields; the index is parsed on first use. --- */
  var box = doc.createElement("div");
  box.className = "toc-search";
  box.setAttribute("role", "search");
  var input = doc.createElement("input");
  input.type = "search";
  input.placeholder = "Search (press /)";
  input.setAttribute("aria-label", "Search operations, paths, models and fields");
  input.autocomplete = "off";
  input.spellcheck = false;
  var status = doc.createElement("div");
  status.className = "search-status";
  status.setAttribute("aria-live", "polite");
  var list = doc.createElement("ul");
  list.className = "search-results";
  box.appendChild(input);
  box.appendChild(status);
  box.appendChild(list);
  var version = nav.querySelector(".toc-version");
  nav.insertBefore(box, version ? version.nextSibling : nav.firstChild);

  var entries = null;
  function entry(kind, anchor, title, detail, method, names, extra) {
    var lowered = [];
    for (var i = 0; i < names.length; i++) if (names[i]) lowered.push(names[i].toLowerCase());
    return { kind: kind, anchor: anchor, title: title, detail: detail, method: method, names: lowered,
             hay: (title + "\n" + detail + "\n" + extra).toLowerCase() };
  }
  function load() {
    if (entries) return entries;
    var index = JSON.parse(data.textContent);
    entries = [];
    index.operations.forEach(function (o) {  // anchor, method, path, summary, operationId, group attr, Python name
      var call = "client." + o[5] + "." + o[6];
      entries.push(entry(0, o[0], o[3] || o[6], o[1] + " " + o[2], o[1], [o[3], o[4], o[6], o[2]], o[4] + "\n" + call));
    });
    index.models.forEach(function (m) {  // anchor, class name, name in the spec
      entries.push(entry(1, m[0], m[1], m[2] === m[1] ? "" : m[2] + " in the spec", "", [m[1], m[2]], ""));
    });
    index.fields.forEach(function (f) {  // model index, name on the wire, Python attribute; opens the field's row
      var m = index.models[f[0]];
      entries.push(entry(2, m[0] + "." + f[2], m[1] + "." + f[1], f[2] === f[1] ? "" : "." + f[2] + " in Python", "", [f[1], f[2]], m[1] + "." + f[2]));
    });
    return entries;
  }
  var KINDS = ["operation", "model", "field"];
  var LIMIT = 50;
  function search(text) {
    var query = text.trim().toLowerCase();
    var tokens = query.split(/\s+/).filter(Boolean);
    var found = [];
    if (tokens.length) {
      var all = load();
      for (var i = 0; i < all.length; i++) {
        var e = all[i], j;
        for (j = 0; j < tokens.length; j++) if (e.hay.indexOf(tokens[j]) < 0) break;
        if (j < tokens.length) continue;
        var rank = 3;
        for (j = 0; j < e.names.length; j++) {
          var name = e.names[j];
          if (name === query) { rank = 0; break; }
          var at = name.indexOf(query);
          if (at === 0 || (at > 0 && !/[a-z0-9]/.test(name.charAt(at - 1)))) rank = Math.min(rank, 1);  // a word's start
          else if (at > 0) rank = Math.min(rank, 2);
        }
        found.push({ score: rank * 3 + e.kind, order: i, e: e });
      }
      found.sort(function (a, b) { return a.score - b.score || a.order - b.order; });
    }
    show(found, tokens.length > 0);
  }
  function show(found, active) {
    list.textContent = "";
    nav.classList.toggle("searching", active);
    status.textContent = !active ? "" : found.length === 0 ? "No results" :
      found.length === 1 ? "1 result" : found.length > LIMIT ? "First " + LIMIT + " of " + found.length + " results" : found.length + " results";
    for (var i = 0; i < found.length && i < LIMIT; i++) {
      var e = found[i].e;
      var li = doc.createElement("li");
      var a = doc.createElement("a");
      a.href = "#" + e.anchor;
      var label = doc.createElement("span");
      if (e.method) {
        label.className = "method";
        label.setAttribute("data-method", e.method);
        label.textContent = e.method;
      } else {
        label.className = "result-kind";
        label.textContent = KINDS[e.kind];
      }
      var body = doc.createElement("span");
      body.className = "name";
      var title = doc.createElement("span");
      title.className = "result-title";
      title.textContent = e.title;
      var detail = doc.createElement("span");
      detail.className = "result-detail";
      detail.textContent = e.kind === 0 ? e.detail.slice(e.method.length + 1) : e.detail;
      body.appendChild(title);
      if (detail.textContent) body.appendChild(detail);
      a.appendChild(label);
      a.appendChild(body);
      li.appendChild(a);
      list.appendChild(li);
    }
  }
  input.addEventListener("input", function () { search(input.value); });
  input.addEventListener("keydown", function (event) {
    var first = list.querySelector("a");
    if (event.key === "Enter" && first) { event.preventDefault(); first.click(); }
    else if (event.key === "Escape") { event.preventDefault(); if (input.value) { input.value = ""; search(""); } else input.blur(); }
    else if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
  });
  list.addEventListener("keydown", function (event) {
    var item = event.target.closest ? event.target.closest("li") : null;
    if (!item) return;
    var next = event.key === "ArrowDown" ? item.nextElementSibling : event.key === "ArrowUp" ? item.previousElementSibling : null;
    if (event.key === "Escape" || (event.key === "ArrowUp" && !next)) { event.preventDefault(); input.focus(); }
    else if (next) { event.preventDefault(); next.firstChild.focus(); }
  });
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var at = event.target;
    if (at && (at.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(at.tagName))) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  /* --- The sidebar follows the reader: the topmost article in the upper part of the window. --- */
  var current = null, opened = null;
  function mark(link) {
    if (!link || link === current) return;
    if (current) current.removeAttribute("aria-current");
    current = link;
    link.setAttribute("aria-current", "true");
    if (getComputedStyle(nav).position !== "sticky") return;  // a narrow window: the contents sit above the page, which must not move
    var group = link.closest("details");
    if (opened !== group) {  // a group opened only to show the place folds again when the place leaves it
      if (opened && !(touched && touched.has(opened))) opened.open = false;
      opened = null;
      if (group && !group.open) { group.open = true; opened = group; }
    }
    if (nav.scrollHeight > nav.clientHeight + 1 && !nav.classList.contains("searching")) {
      var at = link.getBoundingClientRect(), frame = nav.getBoundingClientRect();
      if (at.top < frame.top + 48 || at.bottom > frame.bottom - 24) nav.scrollTop += at.top - frame.top - nav.clientHeight / 3;
    }
  }
  function track() {
    showHash();
    if (typeof IntersectionObserver !== "function") return;
    var visible = new Set();
    var observer = new IntersectionObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        if (changes[i].isIntersecting) visible.add(changes[i].target); else visible.delete(changes[i].target);
      }
      if (pinned) {  // the last article of a page may never reach the top: it stays marked while in view
        var at = pinned.getBoundingClientRect();
        if (at.bottom > 0 && at.top < window.innerHeight) return;
        pinned = null;
      }
      var best = null, top = Infinity;
      visible.forEach(function (el) { var y = el.getBoundingClientRect().top; if (y < top) { top = y; best = el; } });
      if (best) mark(byId[best.id]);
    }, { rootMargin: "0px 0px -60% 0px" });
    for (var id in byId) {
      var el = doc.getElementById(id);
      if (el && el.tagName === "ARTICLE") observer.observe(el);
    }
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", track); else track();
})();
