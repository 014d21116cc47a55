// The playground: sim's engine (Go, compiled to WebAssembly, carried in
// this file gzipped and base64-encoded) runs the scenario in the editors
// on every edit, in a Web Worker, and the page shows what the CLI prints. Nothing is
// fetched: the engine, Go's wasm_exec.js and the examples are inline, and
// the Content-Security-Policy allows no request.
//
// The replay is the page `sim render SCENARIO -o x.html` writes, the bytes
// the engine returns, shown as they are in an iframe (written into its
// about:blank document: the same origin as this page, so its script runs
// under this page's Content-Security-Policy as well as its own, and this
// page can read and set its slider); a re-run keeps the slider's instant.
//
// The URL fragment carries the state, #s=<base64url of the deflate-raw of
// {"e": example, "f": {name: text}}> (only the files that differ from the
// example as shipped) and &t=<seconds>, the replay's instant, so a link
// reproduces what its sender saw.
// #selftest=timeout makes the page drive itself for the browser test (see
// selftest): window.simSelfTest is a promise of what it saw, which it also
// writes, as JSON, into a hidden pre element of id "selftest" appended to
// the body.
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
    svg: $("svg"), stderr: $("stderr"), log: $("log"),
    replay: $("replay"), replayNote: $("replay-note")
  };
  var current = null; // the example whose files are in the editors
  var runs = 0;       // re-simulations done; the self-test waits on it
  var lastRun = null; // {ms, result, times}
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
    if (warming && performance.now() - warming > STUCK_MS) {
      restart(); // a warm-up of a long run: the edit goes to a new engine
      return;
    }
    if (inFlight) {
      if (performance.now() - inFlight.t0 > STUCK_MS) {
        restart(); // which plays the edit once the new engine is up
      } else {
        again = true;
      }
      return;
    }
    inFlight = { id: ++nextId, t0: performance.now(), edited: editedAt };
    editedAt = null;
    engine.worker.postMessage({ id: inFlight.id, files: files(), scenario: current.scenario });
    ui.status.textContent = "running…";
  }

  function answered(m) {
    if (m.warm) {
      warming = null;
      // A crash is found by the next edit, which restarts the engine.
      engine.warmMs -= m.ms || 0;
      if (m.crashed || m.ms > STUCK_MS || engine.warmMs <= 0) engine.warm = 0;
      warmUp();
      return;
    }
    if (!inFlight || m.id !== inFlight.id) return; // a run stopped by restart
    var inFlight0 = inFlight;
    inFlight = null;
    if (m.crashed) {
      // Only the Go runtime itself failing lands here (sim's own panics
      // come back as exit status 3): a new engine takes the next edit.
      ui.status.textContent = "the engine stopped (" + m.crashed + "); it restarts on your next edit";
      ui.status.classList.add("bad");
      restart();
      return;
    }
    show(m.result, { worker: m.ms, t0: inFlight0.t0, edited: inFlight0.edited, answered: performance.now() });
    if (again) {
      again = false;
      simulate();
    }
  }

  // show draws a run: the replay page, the SVG, stderr, the transitions
  // and the log. Once the replay is painted (its slider back at the
  // instant the last one showed), drawn counts the run. A run that failed
  // leaves the last replay and SVG that worked in place, dimmed, under a
  // note.
  var frame = { token: 0, ready: false, instant: null, html: "" };
  var drawing = false; // a run's drawing has begun and not ended
  function show(res, t) {
    var d0 = performance.now();
    drawing = true;
    ui.log.textContent = res.stdout;
    ui.stderr.textContent = res.stderr;
    if (res.status === 0) ui.svg.innerHTML = res.svg; // sim's own SVG: names in it are escaped (internal/escape)
    ui.svg.classList.toggle("stale", res.status !== 0);
    ui.transitions.textContent = "";
    res.transitions.forEach(function (tr0) {
      var tr = document.createElement("tr");
      [tr0.t, tr0.name, tr0.from, tr0.to].forEach(function (v, i) {
        var td = document.createElement("td");
        td.textContent = v;
        if (i >= 2) td.dataset.state = v;
        tr.appendChild(td);
      });
      ui.transitions.appendChild(tr);
    });
    problems(res.stderr);
    var note = res.status !== 0 ? "the run failed (see the errors): the replay below is the last run that worked" :
      res.pageError ? "sim render -o x.html would not draw this run: " + res.pageError.replace(/\n$/, "") : "";
    ui.replayNote.textContent = note;
    ui.replayNote.hidden = note === "";
    ui.replay.classList.toggle("stale", note !== "");
    t.dom = performance.now() - d0;
    var done = function () {
      t.drawn = performance.now();
      drawn(res, t);
    };
    if (res.page) loadReplay(res.page, t, done);
    else done();
  }

  // drawn ends a run's drawing: the times it took, the status line, the
  // URL.
  function drawn(res, t) {
    drawing = false;
    var times = {
      worker: t.worker,                      // simRun in the worker: the engine, the SVG, the replay page
      transfer: t.answered - t.t0 - t.worker, // the files there and the result back
      dom: t.dom,                            // the log, the SVG, stderr, the table
      frame: t.drawn - t.answered - t.dom,   // the replay page shown and painted, of which
      parse: t.parsed != null ? t.parsed - t.loaded : null,          //   its HTML parsed and its script run (at the first instant)
      restore: t.restored != null ? t.restored - t.parsed : null,    //   its slider put back (its script draws that instant)
      paint: t.restored != null ? t.drawn - t.restored : null,       //   then painted
      total: t.drawn - t.t0,                 // the engine's start to the replay drawn
      edit: t.edited != null ? t.drawn - t.edited : null // the keystroke to the replay drawn (with the debounce)
    };
    lastRun = { ms: t.worker, result: res, times: times };
    if (runs === 0) boot.first = times; // the load's last step, in parts
    ui.status.textContent = res.status === 0 ? "ran in " + t.worker.toFixed(0) + " ms, drawn in " + times.total.toFixed(0) + " ms" :
      "exit status " + res.status + " (see the errors)";
    ui.status.classList.toggle("bad", res.status !== 0);
    runs++;
    saveState();
    if (onRun) { onRun(); onRun = null; }
    warmUp();
  }

  // replayInstant is the instant the replay shows, in ms of virtual time
  // (its slider's value), or the one it is about to be put back at.
  function replayInstant() {
    if (!frame.ready) return frame.instant;
    var s = ui.replay.contentDocument && ui.replay.contentDocument.getElementById("slider");
    return s ? Number(s.value) : frame.instant;
  }

  // loadReplay shows html in a new iframe in place of the last: its
  // about:blank document, written with html (document.write parses it and
  // runs its script as a browser does a file; the document keeps the
  // origin and Content-Security-Policy of this page, and its own). No
  // navigation: a srcdoc iframe, which is one, took 3 to 4 times longer to
  // show the same page (measured in Chromium 156, interleaved). A new
  // iframe each time leaves nothing of the last page behind (a playback
  // under way, its listeners); it is made ahead (spare), as creating one
  // took as long again as writing the page. Its slider then goes back to
  // the instant the last replay showed, set the way a user sets it (its
  // value, then an input event), its scroll position and playback too, and
  // done is called once the next frame is painted, unless another replay
  // was shown meanwhile.
  function loadReplay(html, t, done) {
    frame.instant = replayInstant();
    var old = ui.replay, y = 0, playing = null, speed = null;
    if (frame.ready) {
      // A replay playing goes on playing, at its speed, in the new one.
      var od = old.contentDocument, pb = od.getElementById("play"), sb = od.querySelector("button.speed.on");
      playing = pb && pb.classList.contains("on");
      speed = sb && sb.dataset.speed;
      y = old.contentWindow.scrollY;
    }
    var token = ++frame.token;
    var f = spare || makeSpare();
    spare = null;
    // Moving an iframe in the document would start it anew: the spare
    // waits, hidden, right after the one shown.
    f.className = old.className;
    f.hidden = false;
    // Hidden now, removed once the new replay is painted: tearing a
    // page down takes time the new one should not wait for.
    old.hidden = true;
    old.id = "";
    f.id = "replay";
    ui.replay = f;
    var doc = f.contentDocument;
    t.loaded = performance.now();
    doc.open();
    doc.write(html);
    doc.close();
    frame.html = html;
    t.parsed = performance.now();
    var slider = doc.getElementById("slider");
    if (slider && frame.instant != null && String(frame.instant) !== slider.value) {
      slider.value = String(frame.instant);
      slider.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (speed) {
      var nb = doc.querySelector('button.speed[data-speed="' + speed + '"]');
      if (nb && !nb.classList.contains("on")) nb.click();
    }
    var play = doc.getElementById("play");
    if (playing && play && !play.classList.contains("on")) play.click();
    if (y) f.contentWindow.scrollTo(0, y);
    frame.ready = true;
    t.restored = performance.now();
    // The replay's own controls move its instant: the link follows.
    ["input", "keyup", "click"].forEach(function (type) { doc.addEventListener(type, instantMoved); });
    // Painted: the frame after this one has begun.
    requestAnimationFrame(function () { setTimeout(function () {
      if (token === frame.token) done();
      setTimeout(function () { old.remove(); makeSpare(); }, 0);
    }, 0); });
  }

  // spare is the iframe the next replay is written into, made while
  // nothing waits on it (one is made as the page starts): a browser may
  // replace a new iframe's first about:blank document once it has
  // loaded, and a page written into it before would go with it.
  var spare = null;
  function makeSpare() {
    if (spare) return spare;
    spare = document.createElement("iframe");
    spare.title = ui.replay.title;
    spare.className = "replay";
    spare.hidden = true;
    ui.replay.after(spare);
    return spare;
  }

  // instantMoved saves the replay's instant in the URL a moment after it
  // moved (a drag moves it many times); flushInstant at once.
  var instantTimer = null;
  function instantMoved() {
    if (instantTimer) clearTimeout(instantTimer);
    instantTimer = setTimeout(flushInstant, 250);
  }
  function flushInstant() {
    if (instantTimer) clearTimeout(instantTimer);
    instantTimer = null;
    saveState();
  }

  var editedAt = null; // when the edit the next run plays was made
  function schedule() {
    if (editedAt == null) editedAt = performance.now();
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
    return unb64(s.replace(/-/g, "+").replace(/_/g, "/"));
  }
  function unb64(s) {
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
    var ms = replayInstant();
    saving = through(new TextEncoder().encode(json), new CompressionStream("deflate-raw")).then(function (z) {
      var hash = "#s=" + b64url(z) + (ms ? "&t=" + ms / 1000 : "");
      if (/selftest=/.test(location.hash)) return hash; // the test reads it; the page keeps driving itself
      history.replaceState(null, "", hash);
      return hash;
    });
  }

  function readState(hash) {
    var m = /^#s=([A-Za-z0-9_-]+)/.exec(hash);
    if (!m) return Promise.resolve(null);
    var t = /&t=([0-9]+(?:\.[0-9]+)?)(?:&|$)/.exec(hash);
    return through(unb64url(m[1]), new DecompressionStream("deflate-raw")).then(function (b) {
      var state = JSON.parse(new TextDecoder().decode(b));
      if (t) state.t = Number(t[1]);
      return state;
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
        postMessage({ id: m.id, warm: m.warm, crashed: String(err) });
        return;
      }
      if (m.warm) postMessage({ warm: true, ms: performance.now() - t0 }); // a warm-up: nobody reads its result
      else postMessage({ id: m.id, ms: performance.now() - t0, result: res });
    };
  }

  var module = null, workerURL = null;

  // spawn makes a worker; the module is posted to it once compiled (at
  // once on a restart).
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
    if (module) worker.postMessage({ module: module });
    return { worker: worker, started: started, warm: WARM_RUNS, warmMs: WARM_MS };
  }

  // warmUp plays the last run's files again in the engine, WARM_RUNS
  // times after it starts, one run at a time and only while nothing
  // waits on it, the results dropped. V8 runs WebAssembly first as its
  // baseline compiler makes it and optimizes a function only once it has
  // run a while: the engine's share of a quickstart re-run was 26 to 44
  // ms at the median of a new page's first 24 re-runs, and 16 to 19 ms
  // after 30 warm-up runs (Chromium 156, docs/playground.md). A learner reads the page a moment before the first
  // edit; by then the engine is warm. An edit made meanwhile waits for
  // the warm-up run under way, at most one (or restarts the engine, as
  // for a run, if it has gone on for more than STUCK_MS). A failed run is
  // not played again; the warm-up ends after WARM_RUNS runs, WARM_MS of
  // them in all, or a run of more than STUCK_MS (a long run is not one
  // to warm up on).
  var WARM_RUNS = 30, WARM_MS = 4000;
  var warming = null; // when the warm-up run under way was sent
  function warmUp() {
    if (!engine || engine.warm <= 0 || warming || inFlight || again || debounce || !lastRun) return;
    if (lastRun.result.status !== 0) return;
    engine.warm--;
    warming = performance.now();
    engine.worker.postMessage({ warm: true, files: files(), scenario: current.scenario });
  }

  // restart stops the engine (and the run in it) and starts another from
  // the compiled module; the latest edit runs once it is up.
  var restarts = 0;
  function restart() {
    restarts++;
    if (engine) engine.worker.terminate();
    inFlight = null;
    again = false;
    warming = null;
    var e = spawn();
    engine = null;
    e.started.then(function () { engine = e; simulate(); }, function (err) {
      ui.status.textContent = "the engine failed to start: " + err;
      ui.status.classList.add("bad");
    });
  }

  // startEngine decodes the engine, compiles it and starts it in a
  // worker. The base64 is decoded natively where the browser can
  // (Uint8Array.fromBase64, instead of atob and a copy loop), and the
  // module is compiled as it is inflated (compileStreaming reads the
  // DecompressionStream through a Response made here: no request), so
  // its 34 MB are never held whole; inflating them first took as long
  // (Chromium 156). The worker is made first, so that it parses
  // wasm_exec.js meanwhile.
  function startEngine() {
    var text = document.getElementById("wasm").textContent;
    var code = document.getElementById("wasm-exec").textContent + "\n(" + workerMain.toString() + ")();\n";
    workerURL = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    var e = spawn();
    var gz = typeof Uint8Array.fromBase64 === "function" ? Uint8Array.fromBase64(text.trim()) : unb64(text.trim());
    boot.unpacked = performance.now(); // its gzip in hand; inflated as it compiles
    var wasm = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
    var compiled = typeof WebAssembly.compileStreaming === "function" ?
      WebAssembly.compileStreaming(new Response(wasm, { headers: { "content-type": "application/wasm" } })) :
      new Response(wasm).arrayBuffer().then(function (b) { return WebAssembly.compile(b); });
    return compiled.then(function (m) {
      boot.compiled = performance.now();
      module = m;
      e.worker.postMessage({ module: module });
      return e.started.then(function () { boot.started = performance.now(); return e; });
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
    flushInstant(); // the replay may be playing: no event says where it is
    saving.then(function () { if (navigator.clipboard) navigator.clipboard.writeText(location.href); });
  });

  // boot times the page's start, in ms since the navigation began
  // (performance.now's origin): its script starting (the file parsed), the
  // engine unpacked, compiled and started in the worker, and the first
  // run drawn.
  var boot = { script: performance.now() };
  makeSpare();
  // The engine starts while the link's state is read (both wait on
  // streams); the first run needs both.
  var engineUp = startEngine();
  var ready = Promise.all([readState(location.hash).then(function (state) {
    var ex = (state && byName(state.e)) || gallery[0];
    load(ex, state && state.f);
    if (state && state.t != null) frame.instant = Math.round(state.t * 1000);
  }), engineUp]).then(function (up) {
    engine = up[1]; // only now: an edit before would find no files
    var first = new Promise(function (resolve) { onRun = resolve; });
    simulate();
    return first;
  }).then(function () {
    boot.drawn = performance.now();
  }).catch(function (e) {
    ui.status.textContent = "the engine failed to start: " + e;
    ui.status.classList.add("bad");
    throw e;
  });

  // --- the self-test ------------------------------------------------------

  // waitRun resolves once a run later than the runs already done has
  // been drawn (a debounced re-simulation after an edit).
  function waitRun(after) {
    return new Promise(function (resolve) {
      (function poll() { if (runs > after) resolve(lastRun); else setTimeout(poll, 20); })();
    });
  }
  // waitIdle resolves once a run later than n has been drawn and nothing
  // is left to run.
  function waitIdle(after) {
    return new Promise(function (resolve) {
      (function poll() { if (runs > after && !inFlight && !again && !debounce && !drawing && engine) resolve(lastRun); else setTimeout(poll, 20); })();
    });
  }
  // waitWarm resolves once the engine has played its warm-up runs (none
  // follow a failed run).
  function waitWarm() {
    return new Promise(function (resolve) {
      (function poll() {
        if (engine && !warming && (engine.warm <= 0 || lastRun.result.status !== 0)) resolve(); else setTimeout(poll, 20);
      })();
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
  // replay reads the replay page as drawn: its slider (ms), its clock, and
  // each breaker's highlighted state in its diagram. With ms set, it first
  // moves the slider there as a user does.
  function replay(ms) {
    var doc = ui.replay.contentDocument, slider = doc.getElementById("slider");
    if (ms != null) {
      slider.value = String(ms);
      slider.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var r = { slider: Number(slider.value), clock: doc.getElementById("clock").textContent, states: {}, counts: "" };
    Array.prototype.forEach.call(doc.querySelectorAll("section.breaker"), function (sec) {
      var g = sec.querySelector("g.state.current");
      r.states[sec.dataset.breaker] = g ? g.dataset.state : "";
      r.counts = sec.querySelector("table.counts").textContent;
    });
    r.diagrams = doc.querySelectorAll("svg.fsm").length;
    r.log = doc.getElementById("log").dataset.lines;
    return r;
  }

  // selftest drives the page as a learner would: it reads the unedited
  // quickstart's run and its replay at an instant, types timeout: 30s
  // into the breaker, reads the redrawn run and replay (the slider where
  // it was) and the URL state of the edit, types a bad value, then picks
  // another example, stops a long run with an edit, and times re-runs.
  // "read" reads the page as it opened.
  function selftest(which) {
    var out = { which: which };
    return ready.then(function () {
      out.boot = boot;
      out.example = current.name;
      out.before = halfOpens();
      // What the page shows, read back from the DOM.
      out.log = ui.log.textContent;
      out.stderrBefore = ui.stderr.textContent;
      out.svgDrawn = ui.svg.querySelectorAll("svg").length;
      out.svgBefore = lastRun.result.svg.length;
      out.pageBefore = lastRun.result.page;
      out.written = frame.html === lastRun.result.page;
      out.firstRunMs = lastRun.ms;
      out.replayOpened = replay();
      if (which !== "timeout") return;
      out.replayBefore = [replay(31450), replay(56407)];
      replay(31450); // the instant the edit's replay must keep
      var n = runs;
      edit(ui.resiliency, /timeout: 5s/, "timeout: 30s");
      return waitRun(n).then(function (r) {
        out.after = halfOpens();
        out.rerunMs = r.ms;
        out.rows = ui.transitions.rows.length;
        out.svgAfter = r.result.svg.length;
        out.replayKept = replay();
        out.replayAfter = [replay(31450), replay(56407)];
        flushInstant();
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
        out.badReplay = { note: ui.replayNote.hidden ? "" : ui.replayNote.textContent, stale: ui.replay.classList.contains("stale"), state: replay().states };
        // The picker: another example replaces both editors and runs.
        var n = runs;
        ui.example.value = "pubsub";
        ui.example.dispatchEvent(new Event("change", { bubbles: true }));
        return waitRun(n);
      }).then(function () {
        out.picked = current.name;
        out.pickedLog = ui.log.textContent;
        out.pickedResiliency = ui.resiliency.value === current.files[current.resiliency];
        out.pickedPage = lastRun.result.page;
        out.pickedReplay = replay();
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
          // A replay playing at 1× (a minute to go) goes on playing, at
          // 1×, after an edit.
          replay(0);
          var doc = ui.replay.contentDocument;
          doc.querySelector('button.speed[data-speed="1"]').click();
          doc.getElementById("play").click();
          var n = runs;
          edit(ui.resiliency, /timeout: 5s/, "timeout: 6s");
          return waitRun(n);
        }).then(function () {
          var doc = ui.replay.contentDocument, play = doc.getElementById("play");
          out.playing = { on: play.classList.contains("on"), speed: (doc.querySelector("button.speed.on") || {}).textContent };
          play.click(); // pause
          var n = runs;
          edit(ui.resiliency, /timeout: 6s/, "timeout: 5s");
          return waitRun(n);
        }).then(function () {
          // Once the last replay is painted the one before goes: one
          // shown, one spare, whatever the runs were.
          return new Promise(function (resolve) { setTimeout(resolve, 100); });
        }).then(function () {
          var frames = document.querySelectorAll("iframe");
          out.frames = frames.length;
          out.framesShown = Array.prototype.filter.call(frames, function (f) { return !f.hidden; }).length;
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
      pre.hidden = true; // for a DOM dump, not for a screenshot
      pre.textContent = JSON.stringify(out);
      document.body.appendChild(pre);
      return out;
    });
  }
  // reruns times n re-runs of the quickstart as shipped: the breaker's
  // timeout typed back and forth between 5s and 30s, each run drawn before
  // the next edit. It resolves to each run's times (drawn).
  // They begin once the engine is warm (warmUp), as a learner's first
  // edit finds it.
  function reruns(n) {
    var times = [], k = 0;
    ui.example.value = "quickstart";
    ui.example.dispatchEvent(new Event("change", { bubbles: true }));
    return waitIdle(runs - 1).then(waitWarm).then(function next() {
      if (k === n) return times;
      var r = runs;
      edit(ui.resiliency, k % 2 ? /timeout: 30s/ : /timeout: 5s/, k % 2 ? "timeout: 5s" : "timeout: 30s");
      k++;
      return waitIdle(r).then(function (last) { times.push(last.times); return next(); });
    });
  }
  var st = /[#&]selftest=([a-z]+)/.exec(location.hash);
  if (st) {
    window.simSelfTest = selftest(st[1]);
    window.simReruns = function (n) { return window.simSelfTest.then(function () { return reruns(n); }); };
  }
})();
