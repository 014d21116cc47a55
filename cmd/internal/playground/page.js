// The playground: sim's engine (Go, compiled to WebAssembly, carried in
// this file gzipped and base64-encoded) runs the scenario in the editors
// on every edit and the page shows what the CLI prints. Nothing is
// fetched: the engine, Go's wasm_exec.js and the examples are inline, and
// the Content-Security-Policy allows no request.
//
// The URL fragment carries the state, #s=<base64url of the deflate-raw of
// {"e": example, "f": {name: text}}> (only the files that differ from the
// example as shipped), so a link reproduces what its sender saw.
// #selftest=timeout makes the page drive itself for the browser test (see
// selftest) and write what it saw, as JSON, into a pre element of id
// "selftest" appended to the body.
(function () {
  "use strict";
  var gallery = JSON.parse(document.getElementById("gallery").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    example: $("example"), question: $("question"), status: $("status"),
    scenario: $("scenario"), resiliency: $("resiliency"),
    scenarioName: $("scenario-name"), resiliencyName: $("resiliency-name"),
    scenarioProblems: $("scenario-problems"), resiliencyProblems: $("resiliency-problems"),
    others: $("other-files"), transitions: document.querySelector("#transitions tbody"),
    svg: $("svg"), stderr: $("stderr"), log: $("log")
  };
  var current = null; // the example whose files are in the editors
  var runs = 0;       // re-simulations done; the self-test waits on it
  var lastRun = null; // {ms, result}
  var debounce = null;
  var DEBOUNCE_MS = 150;

  function byName(name) {
    for (var i = 0; i < gallery.length; i++) if (gallery[i].name === name) return gallery[i];
    return null;
  }

  // files is what the engine reads: the example's files with the two
  // editors' texts in place of theirs.
  function files() {
    var f = {};
    for (var k in current.files) f[k] = current.files[k];
    f[current.scenario] = ui.scenario.value;
    f[current.resiliency] = ui.resiliency.value;
    return f;
  }

  function load(ex, edited) {
    current = ex;
    ui.example.value = ex.name;
    ui.question.textContent = ex.question;
    ui.scenarioName.textContent = ex.scenario;
    ui.resiliencyName.textContent = ex.resiliency;
    ui.scenario.value = edited && edited[ex.scenario] != null ? edited[ex.scenario] : ex.files[ex.scenario];
    ui.resiliency.value = edited && edited[ex.resiliency] != null ? edited[ex.resiliency] : ex.files[ex.resiliency];
    ui.others.textContent = "";
    Object.keys(ex.files).sort().forEach(function (name) {
      if (name === ex.scenario || name === ex.resiliency) return;
      var h = document.createElement("h3"); h.textContent = name;
      var pre = document.createElement("pre"); pre.textContent = ex.files[name];
      ui.others.appendChild(h); ui.others.appendChild(pre);
    });
  }

  // problems lists under each editor the lines of stderr that name its
  // file ("file:line: …"); a click puts the caret on that line.
  function problems(stderr) {
    [[ui.scenario, ui.scenarioProblems, current.scenario], [ui.resiliency, ui.resiliencyProblems, current.resiliency]].forEach(function (p) {
      var area = p[0], list = p[1], name = p[2];
      list.textContent = "";
      var bad = false;
      stderr.split("\n").forEach(function (line) {
        if (line.indexOf(name + ":") !== 0) return;
        var m = /^(\d+):/.exec(line.slice(name.length + 1));
        var li = document.createElement("li");
        li.textContent = line;
        if (m) {
          li.dataset.line = m[1];
          li.addEventListener("click", function () { caretToLine(area, +m[1]); });
        }
        if (line.indexOf(": warning: ") < 0) bad = true;
        list.appendChild(li);
      });
      area.classList.toggle("bad", bad);
    });
  }

  function caretToLine(area, line) {
    var lines = area.value.split("\n"), at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    area.focus();
    area.setSelectionRange(at, at + (lines[line - 1] || "").length);
  }

  function simulate() {
    debounce = null;
    // An edit made while the engine loads is played once it has started
    // (the first run reads the editors as they are then).
    if (typeof globalThis.simRun !== "function") return;
    var t0 = performance.now(), res;
    try {
      res = globalThis.simRun(files(), current.scenario);
    } catch (e) {
      // Only the Go runtime itself failing lands here (sim's own panics
      // come back as exit status 3): the engine is gone until a reload.
      ui.status.textContent = "the engine stopped (" + e + "): reload the page";
      ui.status.classList.add("bad");
      return;
    }
    var ms = performance.now() - t0;
    lastRun = { ms: ms, result: res };
    ui.log.textContent = res.stdout;
    ui.stderr.textContent = res.stderr;
    ui.svg.innerHTML = res.svg; // sim's own SVG: names in it are escaped (internal/escape)
    ui.transitions.textContent = "";
    res.transitions.forEach(function (t) {
      var tr = document.createElement("tr");
      [t.t, t.name, t.from, t.to].forEach(function (v, i) {
        var td = document.createElement("td");
        td.textContent = v;
        if (i >= 2) td.dataset.state = v;
        tr.appendChild(td);
      });
      ui.transitions.appendChild(tr);
    });
    problems(res.stderr);
    ui.status.textContent = res.status === 0 ? "ran in " + ms.toFixed(0) + " ms" : "exit status " + res.status + " (see the errors)";
    ui.status.classList.toggle("bad", res.status !== 0);
    runs++;
    saveState();
  }

  function schedule() {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(simulate, DEBOUNCE_MS);
  }

  // --- the URL fragment ---------------------------------------------------

  function b64url(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function unb64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function through(bytes, stream) {
    return new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  var saving = Promise.resolve();
  function saveState() {
    var edited = {};
    if (ui.scenario.value !== current.files[current.scenario]) edited[current.scenario] = ui.scenario.value;
    if (ui.resiliency.value !== current.files[current.resiliency]) edited[current.resiliency] = ui.resiliency.value;
    var json = JSON.stringify({ e: current.name, f: edited });
    saving = through(new TextEncoder().encode(json), new CompressionStream("deflate-raw")).then(function (z) {
      var hash = "#s=" + b64url(z);
      if (/selftest=/.test(location.hash)) return hash; // the test reads it; the page keeps driving itself
      history.replaceState(null, "", hash);
      return hash;
    });
  }

  function readState(hash) {
    var m = /^#s=([A-Za-z0-9_-]+)/.exec(hash);
    if (!m) return Promise.resolve(null);
    return through(unb64url(m[1]), new DecompressionStream("deflate-raw")).then(function (b) {
      return JSON.parse(new TextDecoder().decode(b));
    }).catch(function () { return null; }); // a link cut short opens the default example
  }

  // --- the engine ---------------------------------------------------------

  function startEngine() {
    var bytes = unb64url(document.getElementById("wasm").textContent.trim());
    return through(bytes, new DecompressionStream("gzip")).then(function (wasm) {
      var go = new Go();
      return WebAssembly.instantiate(wasm, go.importObject).then(function (r) {
        go.run(r.instance); // main sets simRun, then waits for calls
        if (typeof globalThis.simRun !== "function") throw new Error("the engine did not start");
      });
    });
  }

  // --- wiring -------------------------------------------------------------

  gallery.forEach(function (ex) {
    var o = document.createElement("option");
    o.value = ex.name; o.textContent = ex.name;
    ui.example.appendChild(o);
  });
  ui.example.addEventListener("change", function () { load(byName(ui.example.value)); schedule(); });
  ui.scenario.addEventListener("input", schedule);
  ui.resiliency.addEventListener("input", schedule);
  $("reset").addEventListener("click", function () { load(current); schedule(); });
  $("copy").addEventListener("click", function () {
    saving.then(function () { if (navigator.clipboard) navigator.clipboard.writeText(location.href); });
  });

  var t0 = performance.now();
  var loadMs = 0;
  var ready = readState(location.hash).then(function (state) {
    var ex = (state && byName(state.e)) || gallery[0];
    load(ex, state && state.f);
    return startEngine();
  }).then(function () {
    loadMs = performance.now() - t0;
    simulate();
  }).catch(function (e) {
    ui.status.textContent = "the engine failed to start: " + e;
    ui.status.classList.add("bad");
    throw e;
  });

  // --- the self-test ------------------------------------------------------

  // waitRun resolves once a run later than the runs already done has
  // ended (a debounced re-simulation after an edit).
  function waitRun(after) {
    return new Promise(function (resolve) {
      (function poll() { if (runs > after) resolve(lastRun); else setTimeout(poll, 20); })();
    });
  }
  // halfOpens reads the transitions table as drawn: the instants of the
  // rows that go to half-open.
  function halfOpens() {
    return Array.prototype.filter.call(ui.transitions.rows, function (tr) {
      return tr.cells[3].textContent === "half-open";
    }).map(function (tr) { return tr.cells[0].textContent; });
  }
  function edit(area, from, to) {
    area.value = area.value.replace(from, to);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // selftest drives the page as a learner would: it reads the unedited
  // quickstart's run, types timeout: 30s into the breaker, reads the
  // redrawn run and the URL state of the edit, types a bad value, then
  // picks another example.
  function selftest(which) {
    var out = { which: which };
    return ready.then(function () {
      out.loadMs = loadMs;
      out.example = current.name;
      out.before = halfOpens();
      // What the page shows, read back from the DOM.
      out.log = ui.log.textContent;
      out.stderrBefore = ui.stderr.textContent;
      out.svgDrawn = ui.svg.querySelectorAll("svg").length;
      out.svgBefore = lastRun.result.svg.length;
      out.firstRunMs = lastRun.ms;
      if (which !== "timeout") return;
      var n = runs;
      edit(ui.resiliency, /timeout: 5s/, "timeout: 30s");
      return waitRun(n).then(function (r) {
        out.after = halfOpens();
        out.rerunMs = r.ms;
        out.rows = ui.transitions.rows.length;
        out.svgAfter = r.result.svg.length;
        return saving;
      }).then(function (hash) {
        out.hash = hash;
        return readState(hash);
      }).then(function (state) {
        out.state = state;
        var n = runs;
        edit(ui.resiliency, /timeout: 30s/, "timeout: soon");
        return waitRun(n);
      }).then(function (r) {
        out.badStatus = r.result.status;
        out.badStderr = ui.stderr.textContent;
        out.problems = Array.prototype.map.call(ui.resiliencyProblems.children, function (li) { return li.textContent; });
        out.marked = ui.resiliency.classList.contains("bad");
        out.statusText = ui.status.textContent;
        // The picker: another example replaces both editors and runs.
        var n = runs;
        ui.example.value = "pubsub";
        ui.example.dispatchEvent(new Event("change", { bubbles: true }));
        return waitRun(n);
      }).then(function () {
        out.picked = current.name;
        out.pickedLog = ui.log.textContent;
        out.pickedResiliency = ui.resiliency.value === current.files[current.resiliency];
      });
    }).then(function () {
      out.resources = performance.getEntriesByType("resource").length;
      out.blocked = window.simBlocked;
    }, function (e) {
      out.error = String(e && e.stack || e);
    }).then(function () {
      var pre = document.createElement("pre");
      pre.id = "selftest";
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    });
  }
  // holdTime keeps headless Chromium's virtual time (--virtual-time-budget,
  // which the test runs under) from racing to the end of its budget while
  // the engine compiles: compiling runs off the main thread, which virtual
  // time counts as idle. Each 50 ms tick spends some real time, so the
  // budget lasts while the self-test is under way; once it is done the
  // rest passes at once.
  function holdTime(until) {
    var done = false, sink = 0;
    until.then(function () { done = true; });
    (function tick() {
      if (done) return;
      for (var i = 0; i < 2e6; i++) sink += i & 1;
      setTimeout(tick, 50);
    })();
    return sink;
  }
  var st = /[#&]selftest=([a-z]+)/.exec(location.hash);
  if (st) holdTime(selftest(st[1]));
})();
