// The playground: sim's engine (Go, compiled to WebAssembly, carried in
// this file gzipped and base64-encoded) runs the scenario in the editors
// on every edit, in a Web Worker, and the page shows what the CLI prints. Nothing is
// fetched: the engine, Go's wasm_exec.js and the examples are inline, and
// the Content-Security-Policy allows no request.
//
// The URL fragment carries the state, #s=<base64url of the deflate-raw of
// {"e": example, "f": {name: text}}> (only the files that differ from the
// example as shipped), so a link reproduces what its sender saw.
// #selftest=timeout makes the page drive itself for the browser test (see
// selftest) and write what it saw, as JSON, into a hidden pre element of id
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

  // simulate sends the editors' files to the engine; show draws what it
  // answers. One run is in flight at a time: an edit made meanwhile is
  // played when it ends, and one made while a run has gone on for more than
  // STUCK_MS (an edit that made a long run) stops that run by starting a new
  // engine, so the page never waits on a run nobody wants any more.
  var STUCK_MS = 1000;
  var engine = null;     // the Worker running sim
  var inFlight = null;   // {id, t0}
  var again = false;     // an edit came during the run in flight
  var nextId = 0;
  var onRun = null;      // resolves the first run's promise

  function simulate() {
    debounce = null;
    // An edit made while the engine loads is played once it has started
    // (the first run reads the editors as they are then).
    if (!engine) return;
    if (inFlight) {
      if (performance.now() - inFlight.t0 > STUCK_MS) {
        restart(); // which plays the edit once the new engine is up
      } else {
        again = true;
      }
      return;
    }
    inFlight = { id: ++nextId, t0: performance.now() };
    engine.worker.postMessage({ id: inFlight.id, files: files(), scenario: current.scenario });
    ui.status.textContent = "running…";
  }

  function answered(m) {
    if (!inFlight || m.id !== inFlight.id) return; // a run stopped by restart
    inFlight = null;
    if (m.crashed) {
      // Only the Go runtime itself failing lands here (sim's own panics
      // come back as exit status 3): a new engine takes the next edit.
      ui.status.textContent = "the engine stopped (" + m.crashed + "); it restarts on your next edit";
      ui.status.classList.add("bad");
      restart();
      return;
    }
    show(m.result, m.ms);
    if (again) {
      again = false;
      simulate();
    }
  }

  function show(res, ms) {
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
    if (onRun) { onRun(); onRun = null; }
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

  // The engine runs in a Worker, so a long run never holds the page: the
  // worker's script is Go's wasm_exec.js (inline, as text) and workerMain,
  // from a blob: URL; it gets the compiled module, starts Go's main, and
  // answers each {id, files, scenario} with simRun's result.
  function workerMain() {
    onmessage = function (e) {
      var m = e.data;
      if (m.module) {
        var go = new Go();
        WebAssembly.instantiate(m.module, go.importObject).then(function (instance) {
          go.run(instance); // main sets simRun, then waits for calls
          postMessage(typeof simRun === "function" ? { ready: true } : { failed: "the engine did not start" });
        }, function (err) { postMessage({ failed: String(err) }); });
        return;
      }
      var t0 = performance.now(), res;
      try {
        res = simRun(m.files, m.scenario);
      } catch (err) {
        postMessage({ id: m.id, crashed: String(err) });
        return;
      }
      postMessage({ id: m.id, ms: performance.now() - t0, result: res });
    };
  }

  var module = null, workerURL = null;

  function spawn() {
    var worker = new Worker(workerURL);
    var started = new Promise(function (resolve, reject) {
      worker.onmessage = function (e) {
        if (e.data.ready) {
          worker.onmessage = function (e) { answered(e.data); };
          resolve();
        } else {
          reject(new Error(e.data.failed));
        }
      };
      worker.onerror = function (e) { reject(new Error(e.message)); };
    });
    worker.postMessage({ module: module });
    return { worker: worker, started: started };
  }

  // restart stops the engine (and the run in it) and starts another from
  // the compiled module; the latest edit runs once it is up.
  var restarts = 0;
  function restart() {
    restarts++;
    if (engine) engine.worker.terminate();
    inFlight = null;
    again = false;
    var e = spawn();
    engine = null;
    e.started.then(function () { engine = e; simulate(); }, function (err) {
      ui.status.textContent = "the engine failed to start: " + err;
      ui.status.classList.add("bad");
    });
  }

  function startEngine() {
    var bytes = unb64url(document.getElementById("wasm").textContent.trim());
    var code = document.getElementById("wasm-exec").textContent + "\n(" + workerMain.toString() + ")();\n";
    workerURL = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    return through(bytes, new DecompressionStream("gzip")).then(function (wasm) {
      return WebAssembly.compile(wasm);
    }).then(function (m) {
      module = m;
      var e = spawn();
      return e.started.then(function () { engine = e; });
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
    var first = new Promise(function (resolve) { onRun = resolve; });
    simulate();
    return first;
  }).then(function () {
    loadMs = performance.now() - t0;
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
  // waitIdle resolves once a run later than n has ended and nothing is
  // left to run.
  function waitIdle(after) {
    return new Promise(function (resolve) {
      (function poll() { if (runs > after && !inFlight && !again && !debounce && engine) resolve(lastRun); else setTimeout(poll, 20); })();
    });
  }
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
        // A long run is stopped by the next edit: the quickstart over a
        // day (seconds of work), and 1.5 s later back to a minute.
        var n = runs;
        ui.example.value = "quickstart";
        ui.example.dispatchEvent(new Event("change", { bubbles: true }));
        return waitRun(n);
      }).then(function () {
        var n = runs, r0 = restarts;
        edit(ui.scenario, /^duration: 60s/m, "duration: 24h");
        return new Promise(function (resolve) { setTimeout(resolve, 1500); }).then(function () {
          edit(ui.scenario, /^duration: 24h/m, "duration: 60s");
          return waitIdle(n);
        }).then(function () {
          out.restarts = restarts - r0;
          out.stuckLog = ui.log.textContent === out.log;
        });
      });
    }).then(function () {
      out.resources = performance.getEntriesByType("resource").length;
      out.blocked = window.simBlocked;
    }, function (e) {
      out.error = String(e && e.stack || e);
    }).then(function () {
      var pre = document.createElement("pre");
      pre.id = "selftest";
      pre.hidden = true; // for the test's DOM dump, not for its screenshot
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
    });
  }
  // holdTime keeps headless Chromium's virtual time (--virtual-time-budget,
  // which the test runs under) from racing to the end of its budget while
  // the page waits on work off its thread (the engine compiling, a run in
  // the worker), which virtual time counts as idle. Each 50 ms tick spends
  // a few milliseconds of real time (1e7 additions), so the test's budget
  // of 600 s lasts a minute or more of real time; once the self-test is
  // done the rest passes at once.
  function holdTime(until) {
    var done = false, sink = 0;
    until.then(function () { done = true; });
    (function tick() {
      if (done) return;
      for (var i = 0; i < 1e7; i++) sink += i & 1;
      setTimeout(tick, 50);
    })();
    return sink;
  }
  var st = /[#&]selftest=([a-z]+)/.exec(location.hash);
  if (st) holdTime(selftest(st[1]));
})();
