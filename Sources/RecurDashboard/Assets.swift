/// The dashboard's style sheet and script, embedded in every page (no file, CDN or network).
/// The pages work without the script; it adds table sorting and filtering and the live
/// updates (polling the JSON API, see `Dashboard`).
enum Assets {
    static let css = """
    :root{--fg:#222;--muted:#666;--line:#ddd;--accent:#1f77b4;--bg:#fafafa}
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
    header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;background:#263238;color:#fff}
    header a{color:#fff;text-decoration:none}
    header .brand{font-weight:bold;font-size:1.1em}
    header nav a{margin-right:1em;opacity:.85}
    .live{margin-left:auto;font-size:.85em;opacity:.85}
    main{max-width:1280px;margin:0 auto;padding:1em 1.5em 3em}
    h1{font-size:1.5em;margin:.4em 0}
    h2{font-size:1.2em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
    h3{font-size:1em;margin:0}
    a{color:var(--accent)}
    table{border-collapse:collapse;background:#fff;margin:.5em 0}
    th,td{border:1px solid var(--line);padding:.25em .6em;text-align:left;vertical-align:top}
    th{background:#eef1f4;white-space:nowrap}
    td.n{text-align:right;font-variant-numeric:tabular-nums}
    table.sortable th{cursor:pointer}
    table.sortable th[aria-sort=ascending]::after{content:" ▲"}
    table.sortable th[aria-sort=descending]::after{content:" ▼"}
    .scroll{overflow-x:auto;max-width:100%}
    .state{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.9em;color:#fff}
    .state-complete{background:#2e7d32}.state-pruned{background:#8d8d8d}.state-failed{background:#c62828}.state-running{background:#1565c0}
    tr.best td{background:#fff8e1}
    .counts span{margin-right:1em}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1em}
    figure{margin:0;background:#fff;border:1px solid var(--line);padding:.5em}
    figcaption p{margin:.2em 0 .4em;color:var(--muted);font-size:.9em}
    svg.chart{display:block;width:100%;height:auto}
    .muted{color:var(--muted)}
    .error{color:#c62828}
    .controls{display:flex;gap:.8em;align-items:center;margin:.5em 0}
    .controls input{padding:.25em .4em;min-width:18em}
    pre{background:#fff;border:1px solid var(--line);padding:.8em;overflow:auto;max-height:32em;font-size:12px}
    dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.5em 0}
    dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
    """

    static let script = """
    (function () {
      "use strict";
      var body = document.body;
      function num(text) { var x = parseFloat(text); return isNaN(x) ? null : x; }
      function cellValue(td) { return td.hasAttribute("data-v") ? td.getAttribute("data-v") : td.textContent; }
      function sortTable(table, col, dir) {
        var tbody = table.tBodies[0];
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col]), y = cellValue(b.cells[col]);
          var nx = num(x), ny = num(y);
          var c;
          if (nx !== null && ny !== null) c = nx - ny;
          else if (nx !== null) c = -1;
          else if (ny !== null) c = 1;
          else c = x < y ? -1 : (x > y ? 1 : 0);
          return dir * c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      }
      function setupSorting(table) {
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
          th.addEventListener("click", function () {
            var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
            Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute("aria-sort"); });
            th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
            table.setAttribute("data-sort-col", col);
            table.setAttribute("data-sort-dir", dir);
            sortTable(table, col, dir);
          });
        });
      }
      function resort(table) {
        if (!table.hasAttribute("data-sort-col")) return;
        sortTable(table, +table.getAttribute("data-sort-col"), +table.getAttribute("data-sort-dir"));
      }
      function applyFilter(table) {
        var text = document.getElementById("filter-text");
        var state = document.getElementById("filter-state");
        var q = text ? text.value.trim().toLowerCase() : "";
        var s = state ? state.value : "";
        var shown = 0;
        Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
          var ok = (!s || r.getAttribute("data-state") === s) && (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
          r.hidden = !ok;
          if (ok) shown++;
        });
        var out = document.getElementById("filter-count");
        if (out) out.textContent = shown + " of " + table.tBodies[0].rows.length + " trials shown";
      }
      Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setupSorting);
      var trials = document.getElementById("trials");
      var controls = document.getElementById("trial-controls");
      if (trials && controls) {
        controls.hidden = false;
        ["filter-text", "filter-state"].forEach(function (id) {
          var el = document.getElementById(id);
          if (el) el.addEventListener("input", function () { applyFilter(trials); });
        });
        applyFilter(trials);
      }
      var live = document.getElementById("live");
      function stamp(text) { if (live) live.textContent = text; }
      function fmt(v) {
        if (v === null || v === undefined) return "–";
        if (typeof v === "number") return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toPrecision(4) : String(+v.toPrecision(4));
        return String(v);
      }
      function td(text, v, cls) {
        var c = document.createElement("td");
        c.textContent = text;
        if (v !== undefined && v !== null) c.setAttribute("data-v", v);
        if (cls) c.className = cls;
        return c;
      }
      function trialRow(t, params, best) {
        var tr = document.createElement("tr");
        tr.id = "trial-" + t.number;
        tr.setAttribute("data-state", t.state);
        if (best !== null && t.number === best) tr.className = "best";
        tr.appendChild(td(String(t.number), t.number, "n"));
        var s = document.createElement("td");
        s.setAttribute("data-v", t.state);
        var span = document.createElement("span");
        span.className = "state state-" + t.state;
        span.textContent = t.state;
        s.appendChild(span);
        tr.appendChild(s);
        tr.appendChild(td(fmt(t.value), t.value, "n"));
        params.forEach(function (p) {
          var v = t.params[p];
          tr.appendChild(td(v === undefined ? "–" : fmt(v), v === undefined ? "" : v, typeof v === "number" ? "n" : ""));
        });
        var keys = Object.keys(t.intermediate);
        var last = keys.length ? t.intermediate[keys[keys.length - 1]] : null;
        tr.appendChild(td(keys.length ? String(keys.length) : "–", keys.length, "n"));
        tr.appendChild(td(fmt(last), last, "n"));
        tr.appendChild(td(t.seconds === null ? "–" : t.seconds.toFixed(1), t.seconds, "n"));
        tr.appendChild(td(t.started ? t.started.replace("T", " ").replace("Z", " UTC") : "–", t.started ? Date.parse(t.started) / 1000 : null));
        return tr;
      }
      function setCounts(counts, total) {
        Object.keys(counts || {}).forEach(function (k) {
          Array.prototype.forEach.call(document.querySelectorAll("[data-count='" + k + "']"), function (el) { el.textContent = counts[k]; });
        });
        Array.prototype.forEach.call(document.querySelectorAll("[data-count='total']"), function (el) { el.textContent = total; });
      }
      var poll = +(body.getAttribute("data-poll") || 0);
      var page = body.getAttribute("data-page");
      var busy = false, chartsDue = false, chartsBusy = false, chartsNext = 0, chartsTimer = null;
      // The charts are refetched at most once at a time, and a large study's (slow to render)
      // no sooner than four render times after the last one ended.
      function refreshCharts(name) {
        if (chartsBusy) { chartsDue = true; return; }
        var wait = chartsNext - Date.now();
        if (wait > 0) {
          if (!chartsTimer) chartsTimer = setTimeout(function () { chartsTimer = null; refreshCharts(name); }, wait);
          return;
        }
        chartsBusy = true; chartsDue = false;
        var started = Date.now();
        fetch("/studies/" + encodeURIComponent(name) + "?fragment=charts", { cache: "no-store" })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            var box = document.getElementById("charts");
            if (html !== null && box) box.innerHTML = html;
          })
          .catch(function () { stamp("offline"); })
          .then(function () {
            chartsBusy = false;
            chartsNext = Date.now() + 4 * (Date.now() - started);
            if (chartsDue) refreshCharts(name);
          });
      }
      function pollStudy() {
        if (busy) return;
        busy = true;
        var name = body.getAttribute("data-study");
        var change = body.getAttribute("data-change");
        var params = JSON.parse(body.getAttribute("data-params") || "[]");
        var url = "/api/studies/" + encodeURIComponent(name) + (change ? "?after=" + encodeURIComponent(change) : "");
        fetch(url, { cache: "no-store" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (s) {
            if (!s) { stamp("study unreadable now"); return; }
            var tbody = trials ? trials.tBodies[0] : null;
            var best = s.best ? s.best.number : null;
            if (tbody) {
              s.trials.forEach(function (t) {
                var row = trialRow(t, params, best);
                var old = document.getElementById(row.id);
                if (old) tbody.replaceChild(row, old); else tbody.appendChild(row);
              });
              Array.prototype.forEach.call(tbody.querySelectorAll("tr.best"), function (r) {
                if (r.id !== "trial-" + best) r.className = "";
              });
              var b = document.getElementById("trial-" + best);
              if (b) b.className = "best";
              resort(trials);
              applyFilter(trials);
            }
            setCounts(s.counts, s.total);
            var bestText = document.getElementById("best-value");
            if (bestText && s.best) bestText.textContent = fmt(s.best.value) + " (trial " + s.best.number + ")";
            if (s.change !== null) body.setAttribute("data-change", s.change);
            if (s.trials.length > 0) refreshCharts(name);
            stamp("live · " + new Date().toLocaleTimeString() + " · " + s.total + " trials");
          })
          .catch(function () { stamp("offline"); })
          .then(function () { busy = false; });
      }
      function pollIndex() {
        if (busy) return;
        busy = true;
        fetch("/api/studies", { cache: "no-store" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (list) {
            if (!list) return;
            list.studies.forEach(function (s) {
              var row = document.querySelector("tr[data-study='" + (window.CSS && CSS.escape ? CSS.escape(s.name) : s.name) + "']");
              if (!row || !s.counts) return;
              ["running", "complete", "pruned", "failed"].forEach(function (k) {
                var c = row.querySelector("[data-col='" + k + "']");
                if (c) c.textContent = s.counts[k];
              });
              var bv = row.querySelector("[data-col='best']");
              if (bv) bv.textContent = fmt(s.best_value);
              var lu = row.querySelector("[data-col='updated']");
              if (lu && s.last_update) lu.textContent = s.last_update.replace("T", " ").replace("Z", " UTC");
            });
            stamp("live · " + new Date().toLocaleTimeString());
          })
          .catch(function () { stamp("offline"); })
          .then(function () { busy = false; });
      }
      if (poll > 0 && page === "study") { setInterval(pollStudy, poll); stamp("live"); }
      if (poll > 0 && page === "index") { setInterval(pollIndex, poll); stamp("live"); }
    })();
    """
}
