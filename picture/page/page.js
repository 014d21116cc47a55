"use strict";
// The replay of one sim run. Everything comes from the JSON in #data, which
// the Go side folded from the trace: the page looks things up, it decides
// nothing a run decides.
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  var snaps = D.snapshots, log = D.log;
  var slider = document.getElementById("slider");
  var clock = document.getElementById("clock");
  var playBtn = document.getElementById("play");
  var speed = 10, playing = false, last = 0, cur = D.from;

  // Times are integer nanoseconds; the slider moves in milliseconds.
  slider.min = String(Math.floor(D.from / 1e6));
  slider.max = String(Math.ceil(D.to / 1e6));

  function fmt(ns) {
    // Go's Duration.String for the values a run has: 26.013013s, 500ms, 0s.
    if (ns === 0) return "0s";
    var neg = ns < 0; if (neg) ns = -ns;
    var s;
    if (ns < 1e3) s = ns + "ns";
    else if (ns < 1e6) s = trim(ns / 1e3) + "µs";
    else if (ns < 1e9) s = trim(ns / 1e6) + "ms";
    else {
      var h = Math.floor(ns / 3.6e12), m = Math.floor((ns % 3.6e12) / 6e10), sec = (ns % 6e10) / 1e9;
      s = (h ? h + "h" + m + "m" : (m ? m + "m" : "")) + trim(sec) + "s";
    }
    return (neg ? "-" : "") + s;
  }
  function trim(x) { return String(Number(x.toFixed(9))); }

  // last index i with a[i].t <= t, or -1
  function upto(a, t) {
    var lo = 0, hi = a.length - 1, r = -1;
    while (lo <= hi) { var m = (lo + hi) >> 1; if (a[m].t <= t) { r = m; lo = m + 1; } else hi = m - 1; }
    return r;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Availability lanes: one per store or called app, red where down.
  (function lanes() {
    var box = document.getElementById("availability");
    if (!snaps.length) return;
    var names = snaps[snaps.length - 1].targets.map(function (x) { return x.name; });
    var span = Math.max(1, D.to - D.from);
    names.forEach(function (name) {
      var lane = el("div", "lane");
      lane.dataset.target = name;
      var downFrom = null;
      snaps.forEach(function (s, i) {
        var tg = s.targets.filter(function (x) { return x.name === name; })[0];
        var up = !tg || tg.up;
        if (!up && downFrom === null) downFrom = s.t;
        if ((up || i === snaps.length - 1) && downFrom !== null) {
          var end = up ? s.t : D.to;
          var d = el("div", "down");
          d.style.left = (100 * (downFrom - D.from) / span) + "%";
          d.style.width = (100 * (end - downFrom) / span) + "%";
          d.title = name + " down " + fmt(downFrom) + "–" + fmt(end);
          lane.appendChild(d);
          downFrom = null;
        }
      });
      lane.appendChild(el("span", "name", name));
      lane.appendChild(el("div", "cursor"));
      box.appendChild(lane);
    });
  })();

  // Breaker lanes: one per breaker, from the engine's snapshots — closed
  // from its first request (the first snapshot listing it; Dapr creates a
  // breaker then), each run of one state a segment. A half-open segment
  // is at least a few pixels wide whatever the window (page.css), so a
  // probe of a millisecond in an hour still shows. The lane's name says
  // the state and the failures counted at the slider's instant.
  var breakerLanes = [];
  (function breakers() {
    var box = document.getElementById("breaker-lanes");
    if (!snaps.length) return;
    var span = Math.max(1, D.to - D.from);
    var names = [];
    snaps.forEach(function (s) {
      s.breakers.forEach(function (b) { if (names.indexOf(b.name) < 0) names.push(b.name); });
    });
    names.sort();
    names.forEach(function (name) {
      var lane = el("div", "lane blane");
      lane.dataset.breaker = name;
      var seg = null;
      function close(end) {
        if (!seg) return;
        var d = el("div", "seg " + seg.state);
        d.dataset.state = seg.state;
        d.dataset.from = String(seg.from);
        d.style.left = (100 * (seg.from - D.from) / span) + "%";
        d.style.width = (100 * (end - seg.from) / span) + "%";
        d.title = name + " " + seg.state + " " + fmt(seg.from) + "–" + fmt(end);
        lane.appendChild(d);
        seg = null;
      }
      snaps.forEach(function (s) {
        var b = s.breakers.filter(function (x) { return x.name === name; })[0];
        var st = b ? b.state : null;
        if (seg && seg.state === st) return;
        close(s.t);
        if (st) seg = { state: st, from: s.t };
      });
      close(D.to);
      var label = el("span", "name", name);
      lane.appendChild(label);
      lane.appendChild(el("div", "cursor"));
      box.appendChild(lane);
      breakerLanes.push({ name: name, label: label });
    });
  })();

  // Deliveries lanes: one per topic and subscriber (and per input binding),
  // each delivery a bar from its start to its end in the row the Go side
  // gave it, coloured by what became of the message (the SVG's colours).
  var bars = [];
  (function deliveries() {
    var box = document.getElementById("deliveries");
    var span = Math.max(1, D.to - D.from);
    (D.deliveries || []).forEach(function (ln) {
      var lane = el("div", "dlane");
      lane.dataset.lane = ln.name;
      lane.style.height = (16 + 6 * ln.rows) + "px"; // the name, then the rows
      ln.deliveries.forEach(function (d) {
        var from = Math.max(d.from, D.from), to = Math.min(d.to, D.to);
        var b = el("div", "delivery " + d.state);
        b.dataset.message = d.message;
        b.dataset.result = d.result;
        b.dataset.delivery = String(d.delivery);
        b.style.left = (100 * (from - D.from) / span) + "%";
        b.style.width = (100 * Math.max(0, to - from) / span) + "%";
        b.style.top = (14 + 6 * d.row) + "px";
        b.title = deliveryText(ln.name, d);
        b.addEventListener("click", function () { select(b); });
        lane.appendChild(b);
        bars.push({ el: b, from: d.from, to: d.to });
      });
      lane.appendChild(el("span", "name", ln.name));
      lane.appendChild(el("div", "cursor"));
      box.appendChild(lane);
    });
  })();
  function deliveryText(lane, d) {
    return lane + ": " + d.message + (d.event ? " (event " + d.event + ")" : "") +
      (d.delivery ? ", delivery " + d.delivery : "") + ", " + fmt(d.from) + " to " + fmt(d.to) + ": " +
      d.result + " after " + d.attempts + (d.attempts === 1 ? " attempt" : " attempts") +
      "; the app's last answer: " + (d.answer || "none") + (d.error ? "; " + d.error : "");
  }
  function select(b) {
    bars.forEach(function (x) { x.el.classList.toggle("selected", x.el === b); });
    var p = document.getElementById("selected");
    p.textContent = b.title;
    p.hidden = false;
  }

  function show(t) {
    cur = Math.max(D.from, Math.min(D.to, t));
    clock.textContent = fmt(cur);
    var i = upto(snaps, cur), s = snaps[i] || { breakers: [], targets: [], requests: [], happened: [], events: 0 };
    document.getElementById("folded").textContent = s.events + " events";
    // Breakers: highlight the current state, the arrow just taken, the counts.
    document.querySelectorAll("section.breaker").forEach(function (sec) {
      var name = sec.dataset.breaker;
      var b = s.breakers.filter(function (x) { return x.name === name; })[0];
      sec.querySelectorAll("g.state").forEach(function (g) {
        g.classList.toggle("current", !!b && g.dataset.state === b.state);
      });
      var prev = snaps[i - 1], pb = prev && prev.breakers.filter(function (x) { return x.name === name; })[0];
      sec.querySelectorAll("g.edge").forEach(function (g) {
        g.classList.toggle("last", !!b && !!pb && s.t === snaps[i].t && pb.state !== b.state &&
          g.dataset.to === b.state);
      });
      var tb = sec.querySelector("table.counts");
      tb.textContent = "";
      var rows = b ? [
        ["state", b.state + " (generation " + b.generation + ")"],
        ["requests", b.requests],
        ["successes", b.totalSuccesses + " total, " + b.consecutiveSuccesses + " consecutive"],
        ["failures", b.totalFailures + " total, " + b.consecutiveFailures + " consecutive"],
        ["expiry", b.expiry < 0 ? "none" : fmt(b.expiry) + (b.state === "open" ? " (end of the open period)" : " (end of the interval)")]
      ] : [["state", "not created yet (Dapr creates a breaker on its first request)"]];
      rows.forEach(function (r) {
        var tr = el("tr"); tr.appendChild(el("td", "", r[0])); tr.appendChild(el("td", "", String(r[1]))); tb.appendChild(tr);
      });
    });
    // Stores and called apps.
    var tl = document.getElementById("targets"); tl.textContent = "";
    s.targets.forEach(function (x) {
      var li = el("li"); li.dataset.target = x.name; li.dataset.up = x.up ? "up" : "down";
      li.appendChild(el("span", x.up ? "up" : "down-t", x.up ? "up" : "down"));
      li.appendChild(document.createTextNode(" " + x.kind + " " + x.name + (x.since >= 0 ? " since " + fmt(x.since) : "") +
        (x.windows && x.windows.length ? " — " + x.windows.join("; ") : "")));
      tl.appendChild(li);
    });
    breakerLanes.forEach(function (x) {
      var b = s.breakers.filter(function (y) { return y.name === x.name; })[0];
      x.label.textContent = x.name + (b ? " · " + b.state + ", " + b.consecutiveFailures + " consecutive " +
        (b.consecutiveFailures === 1 ? "failure" : "failures") + " (" + b.totalFailures + " in " + b.requests + " requests)" : " · not created yet");
    });
    document.querySelectorAll(".lane .cursor, .dlane .cursor").forEach(function (c) {
      c.style.left = (100 * (cur - D.from) / Math.max(1, D.to - D.from)) + "%";
    });
    happened(s);
    fill("requests", s.requests.length ? s.requests : ["none"]);
    // Messages in flight: a delivery began at or before this instant and
    // ends after it.
    var ml = document.getElementById("messages"); ml.textContent = "";
    (s.messages || []).forEach(function (m) {
      var li = el("li", m.lane ? "" : "summary", m.text);
      if (m.lane) { li.dataset.lane = m.lane; li.dataset.message = m.message; }
      ml.appendChild(li);
    });
    document.getElementById("messages-title").hidden = !(D.deliveries && D.deliveries.length) && !(s.messages && s.messages.length);
    bars.forEach(function (x) { x.el.classList.toggle("inflight", x.from <= s.t && s.t < x.to); });
    // The log up to this instant; the lines of the current instant marked.
    var n = upto(log, cur) + 1, pre = document.getElementById("log");
    pre.textContent = "";
    for (var k = 0; k < n; k++) {
      var line = el("span", log[k].t === s.t ? "now" : "", log[k].text + "\n");
      pre.appendChild(line);
    }
    pre.dataset.lines = String(n);
    pre.scrollTop = pre.scrollHeight;
    var v = String(Math.round(cur / 1e6));
    if (slider.value !== v) slider.value = v;
  }
  // Latest events: each in the words `sim run --explain` prints (the Go
  // side's), the event as the trace records it folded under it; the events
  // that print nothing (an attempt that went through, say) in one fold.
  function happened(s) {
    var ul = document.getElementById("happened"); ul.textContent = "";
    var raw = s.happened || [], plain = s.plain || [], quiet = [];
    if (raw.length) ul.appendChild(el("li", "at", "at " + fmt(s.t)));
    raw.forEach(function (r, k) {
      if (!plain[k]) { quiet.push(r); return; }
      var li = el("li", "said");
      li.appendChild(el("span", "plain", plain[k]));
      var d = el("details", "raw"); d.appendChild(el("summary", "", "event")); d.appendChild(el("code", "", r));
      li.appendChild(d);
      ul.appendChild(li);
    });
    if (quiet.length) {
      var li = el("li", "quiet"), d = el("details", "raw");
      d.appendChild(el("summary", "", quiet.length + (quiet.length === 1 ? " event" : " events") + " the log does not show"));
      quiet.forEach(function (r) { d.appendChild(el("code", "", r)); });
      li.appendChild(d);
      ul.appendChild(li);
    }
  }
  function fill(id, lines) {
    var ul = document.getElementById(id); ul.textContent = "";
    lines.forEach(function (l) { ul.appendChild(el("li", "", l)); });
  }

  // Event instants, for stepping.
  function next(t) { for (var i = 0; i < snaps.length; i++) if (snaps[i].t > t) return snaps[i].t; return D.to; }
  function prev(t) { for (var i = snaps.length - 1; i >= 0; i--) if (snaps[i].t < t) return snaps[i].t; return D.from; }

  slider.addEventListener("input", function () { pause(); show(Number(slider.value) * 1e6); });
  document.addEventListener("keydown", function (e) {
    var t = null;
    if (e.key === "ArrowRight") t = e.shiftKey ? cur + 1e9 : next(cur);
    else if (e.key === "ArrowLeft") t = e.shiftKey ? cur - 1e9 : prev(cur);
    else if (e.key === "Home") t = D.from;
    else if (e.key === "End") t = D.to;
    else if (e.key === " ") { e.preventDefault(); toggle(); return; }
    if (t === null) return;
    e.preventDefault(); pause(); show(t);
  });

  // Playback: virtual time runs at speed × real time.
  function frame(now) {
    if (!playing) return;
    var dt = now - last; last = now;
    var t = cur + dt * 1e6 * speed;
    if (t >= D.to) { show(D.to); pause(); return; }
    show(t);
    requestAnimationFrame(frame);
  }
  function play() {
    if (cur >= D.to) cur = D.from;
    playing = true; playBtn.textContent = "❚❚ pause"; playBtn.classList.add("on");
    last = performance.now(); requestAnimationFrame(frame);
  }
  function pause() { playing = false; playBtn.textContent = "▶ play"; playBtn.classList.remove("on"); }
  function toggle() { if (playing) pause(); else play(); }
  playBtn.addEventListener("click", toggle);
  document.querySelectorAll("button.speed").forEach(function (b) {
    b.addEventListener("click", function () {
      speed = Number(b.dataset.speed);
      document.querySelectorAll("button.speed").forEach(function (x) { x.classList.toggle("on", x === b); });
    });
    b.classList.toggle("on", Number(b.dataset.speed) === speed);
  });

  // #t=31.5 opens at that instant; #selftest=20,27 checks the page (page.go).
  var frag = location.hash.slice(1), m;
  if ((m = /^t=([0-9.]+)$/.exec(frag))) show(Math.round(Number(m[1]) * 1e9));
  else show(D.from);
  if ((m = /^selftest=([0-9.,]+)$/.exec(frag))) selftest(m[1].split(",").map(Number));

  // shown: el takes room and is rendered (a closed <details> hides its
  // content with content-visibility, which keeps a size in Chromium).
  function shown(e) {
    return e.getBoundingClientRect().height > 0 && (!e.checkVisibility || e.checkVisibility({ contentVisibilityAuto: true }));
  }
  function selftest(instants) {
    var svgs = document.querySelectorAll("svg.fsm");
    var r = {
      diagrams: svgs.length,
      states: svgs.length ? Array.prototype.map.call(svgs[0].querySelectorAll("g.state"), function (g) { return g.dataset.state; }) : [],
      width: svgs.length ? svgs[0].getBoundingClientRect().width : 0,
      steps: [], breakerLanes: [], labelPx: 0, labelOverlaps: 0, rawOnDemand: false, arrow: 0, resources: 0, blocked: [], lanes: [], selected: ""
    };
    instants.forEach(function (sec) {
      slider.value = String(Math.round(sec * 1000));
      slider.dispatchEvent(new Event("input", { bubbles: true }));
      var hl = {}, stores = {};
      document.querySelectorAll("section.breaker").forEach(function (s) {
        var g = s.querySelector("g.state.current");
        hl[s.dataset.breaker] = g ? g.dataset.state : "";
      });
      document.querySelectorAll("#targets li").forEach(function (li) { stores[li.dataset.target] = li.dataset.up; });
      var inFlight = Array.prototype.map.call(document.querySelectorAll("#messages li[data-message]"), function (li) {
        return li.dataset.lane + " " + li.dataset.message;
      });
      var said = Array.prototype.map.call(document.querySelectorAll("#happened li.said"), function (li) {
        return { plain: li.querySelector(".plain").textContent, raw: li.querySelector("details code").textContent,
          open: li.querySelector("details").open, rawShown: shown(li.querySelector("details code")) };
      });
      var quiet = Array.prototype.map.call(document.querySelectorAll("#happened li.quiet code"), function (c) { return c.textContent; });
      r.steps.push({ at: cur, slider: slider.value, clock: clock.textContent, highlighted: hl,
        logLines: Number(document.getElementById("log").dataset.lines), stores: stores, inFlight: inFlight, said: said, quiet: quiet });
    });
    // The diagrams' labels as drawn: the smallest font size on screen, and
    // the pairs whose boxes overlap.
    svgs.forEach(function (svg) {
      var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      var boxes = Array.prototype.map.call(svg.querySelectorAll("text.label"), function (l) {
        var px = parseFloat(getComputedStyle(l).fontSize) * scale;
        r.labelPx = r.labelPx ? Math.min(r.labelPx, px) : px;
        return l.getBoundingClientRect();
      });
      boxes.forEach(function (a, i) {
        boxes.slice(i + 1).forEach(function (b) {
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) r.labelOverlaps++;
        });
      });
    });
    // The raw event on demand: a click on the first fold of the last step.
    var fold = document.querySelector("#happened li.said details");
    if (fold) {
      fold.querySelector("summary").click();
      r.rawOnDemand = fold.open && shown(fold.querySelector("code"));
    }
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    r.arrow = cur;
    r.breakerLanes = Array.prototype.map.call(document.querySelectorAll("#breaker-lanes .blane"), function (lane) {
      return { name: lane.dataset.breaker, label: lane.querySelector(".name").textContent,
        segments: Array.prototype.map.call(lane.querySelectorAll(".seg"), function (g) {
          return { state: g.dataset.state, from: Number(g.dataset.from), px: g.getBoundingClientRect().width };
        }) };
    });
    r.lanes = Array.prototype.map.call(document.querySelectorAll("#deliveries .dlane"), function (lane) {
      return { name: lane.dataset.lane, deliveries: Array.prototype.map.call(lane.querySelectorAll(".delivery"), function (b) {
        return { message: b.dataset.message, result: b.dataset.result, state: b.classList[1], delivery: Number(b.dataset.delivery),
          title: b.title, drawn: b.getBoundingClientRect().width > 0 };
      }) };
    });
    var first = document.querySelector("#deliveries .delivery");
    if (first) first.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    r.selected = document.getElementById("selected").textContent;
    r.resources = performance.getEntriesByType("resource").length;
    r.blocked = window.simBlocked || [];
    var out = document.getElementById("selftest");
    out.textContent = JSON.stringify(r);
    out.hidden = false;
    document.title = "selftest done";
  }
})();
