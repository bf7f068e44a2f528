// The edit page: the draft's lines as a list and as blocks on a time ruler, the project's
// options, Listen / Preview / Render; unsaved changes kept in localStorage until saved.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var t = config.text;
  var $ = function (id) { return document.getElementById(id); };
  var PX_PER_S = 60; // the ruler's scale: a drag of 60 px moves a start by 1 s
  var STEP_S = 0.1;
  var storeKey = "voiceover-edit:" + config.base;
  var draft = null; // the server's draft (its version is what a save is made on)
  var state = null; // {version, lines, options} as edited here
  var polling = null;

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return fields[key]; });
  }

  function url(tail) {
    var parts = tail.split("?");
    return config.base + parts[0] + "?" + config.query + (parts[1] ? "&" + parts[1] : "");
  }

  function say(text, kind) {
    var box = $("message");
    box.textContent = text || "";
    box.className = kind || "";
  }

  function round(value) { return Math.round(value * 100) / 100; }

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  function keep() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* full */ }
  }

  function forget() {
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
  }

  function kept() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }

  function changed() {
    keep();
    say(t.unsaved);
    drawRuler();
  }

  function request(method, tail, body) {
    var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url(tail), options).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }

  // The voice choices -----------------------------------------------------------------------

  function voiceOptions(select, withAuto) {
    select.textContent = "";
    if (withAuto) {
      var auto = document.createElement("option");
      auto.value = "";
      auto.textContent = fill(t.auto_voice, { voice: draft.auto_voice || "?" });
      select.appendChild(auto);
    }
    config.voices.forEach(function (voice) {
      var option = document.createElement("option");
      option.value = voice.id;
      option.textContent = voice.id + (voice.gender ? " (" + voice.gender + ")" : "");
      select.appendChild(option);
    });
  }

  // The lines ---------------------------------------------------------------------------------

  function lineDuration(line) {
    var words = line.text.split(/\s+/).filter(Boolean).length || Math.ceil(line.text.length / 3);
    var speed = Number(line.speed || state.options.speed || 1);
    return Math.max(0.6, words / 2.6 / speed) + Number(line.pause || 0);
  }

  function drawLines() {
    var list = $("lines");
    list.textContent = "";
    state.lines.forEach(function (line, n) {
      var row = $("line-template").content.firstElementChild.cloneNode(true);
      row.dataset.n = String(n);
      row.id = "line-" + (n + 1);
      row.querySelector(".line-title").textContent = fill(t.line, { n: n + 1 });
      var text = row.querySelector(".text");
      text.value = line.text;
      text.addEventListener("input", function () { line.text = text.value; changed(); });
      var start = row.querySelector(".start");
      start.value = String(line.start);
      start.addEventListener("change", function () {
        line.start = Math.max(0, round(Number(start.value) || 0));
        changed();
      });
      var voice = row.querySelector(".voice");
      voiceOptions(voice, false);
      voice.value = line.voice || draft.auto_voice;
      voice.addEventListener("change", function () { line.voice = voice.value; changed(); });
      var speed = row.querySelector(".speed");
      speed.value = line.speed ? String(line.speed) : "";
      speed.placeholder = t.same_speed;
      speed.addEventListener("change", function () {
        line.speed = speed.value === "" ? null : Number(speed.value);
        changed();
      });
      var pause = row.querySelector(".pause");
      pause.value = String(line.pause || 0);
      pause.addEventListener("change", function () { line.pause = Number(pause.value) || 0; changed(); });
      row.querySelector(".listen").addEventListener("click", function () { listen(n); });
      list.appendChild(row);
    });
  }

  function showErrors(lineErrors) {
    document.querySelectorAll(".line").forEach(function (row) {
      var problem = (lineErrors || {})[row.dataset.n] || "";
      row.querySelector(".line-error").textContent = problem;
      row.classList.toggle("wrong", Boolean(problem));
    });
  }

  // The ruler ---------------------------------------------------------------------------------

  function drawRuler() {
    var track = $("track");
    var end = Math.max(draft.media.duration || 0, 1);
    state.lines.forEach(function (line) { end = Math.max(end, line.start + lineDuration(line)); });
    track.style.width = Math.ceil((end + 1) * PX_PER_S) + "px";
    track.querySelectorAll(".block, .cut").forEach(function (old) { old.remove(); });
    (draft.media.cuts || []).forEach(function (at) { // where each shot begins
      var cut = document.createElement("div");
      cut.className = "cut";
      cut.setAttribute("aria-hidden", "true");
      cut.style.left = at * PX_PER_S + "px";
      track.appendChild(cut);
    });
    state.lines.forEach(function (line, n) {
      var block = document.createElement("button");
      block.type = "button";
      block.className = "block";
      block.id = "block-" + (n + 1);
      block.textContent = String(n + 1);
      block.setAttribute("aria-label", fill(t.block, { n: n + 1, at: line.start.toFixed(1) }));
      block.style.left = line.start * PX_PER_S + "px";
      block.style.width = Math.max(24, lineDuration(line) * PX_PER_S - 2) + "px";
      block.style.top = (n % 2) * 26 + 4 + "px";
      drag(block, line, n);
      block.addEventListener("keydown", function (event) {
        var step = event.shiftKey ? 1 : STEP_S;
        if (event.key === "ArrowRight") { moveTo(line, n, line.start + step); }
        else if (event.key === "ArrowLeft") { moveTo(line, n, line.start - step); }
        else { return; }
        event.preventDefault();
        $("block-" + (n + 1)).focus();
      });
      track.appendChild(block);
    });
  }

  function moveTo(line, n, seconds) {
    line.start = Math.max(0, round(Math.round(seconds / STEP_S) * STEP_S));
    var input = document.querySelector("#line-" + (n + 1) + " .start");
    if (input) { input.value = String(line.start); }
    changed();
  }

  function drag(block, line, n) {
    var from = null;
    block.addEventListener("pointerdown", function (event) {
      from = { x: event.clientX, start: line.start };
      block.setPointerCapture(event.pointerId);
    });
    block.addEventListener("pointermove", function (event) {
      if (!from) { return; }
      block.style.left = Math.max(0, from.start * PX_PER_S + event.clientX - from.x) + "px";
    });
    block.addEventListener("pointerup", function (event) {
      if (!from) { return; }
      var moved = (event.clientX - from.x) / PX_PER_S;
      var start = from.start;
      from = null;
      if (Math.abs(moved) >= STEP_S / 2) { moveTo(line, n, start + moved); }
    });
  }

  function follow() {
    var player = $("player");
    if (!player) { return; }
    player.addEventListener("timeupdate", function () {
      $("playhead").style.left = player.currentTime * PX_PER_S + "px";
    });
  }

  function drawShots() {
    var cuts = draft.media.cuts || [];
    if (!cuts.length || draft.media.kind !== "video") { return; }
    var list = $("shot-list");
    list.textContent = "";
    [0].concat(cuts).forEach(function (at, n) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "shot";
      var label = fill(t.shot_at, { at: at.toFixed(1) + " s" });
      var picture = document.createElement("img");
      picture.src = url("/shot/" + n + ".jpg");
      picture.alt = label;
      picture.width = 96;
      picture.height = 54;
      button.appendChild(picture);
      button.addEventListener("click", function () { $("player").currentTime = at; });
      item.appendChild(button);
      list.appendChild(item);
    });
    $("shots").hidden = false;
  }

  // Options -----------------------------------------------------------------------------------

  function drawOptions() {
    voiceOptions($("opt-voice"), true);
    document.querySelectorAll("[data-option]").forEach(function (control) {
      var name = control.dataset.option;
      var value = state.options[name];
      control.value = name === "music_volume" ? String(Math.round(value * 100)) : String(value || "");
      control.onchange = function () {
        var raw = control.value;
        state.options[name] = name === "music_volume" ? Number(raw) / 100
          : name === "speed" ? Number(raw) : raw;
        changed();
      };
    });
  }

  function draw() {
    drawLines();
    drawRuler();
    drawOptions();
  }

  // Server round trips ------------------------------------------------------------------------

  function adopt(fresh) {
    draft = fresh;
    state = { version: fresh.version, lines: copy(fresh.lines), options: copy(fresh.options) };
  }

  function save() {
    return request("POST", "/draft", state).then(function (answer) {
      var data = answer.data;
      showErrors(data.line_errors);
      $("stale").hidden = data.status !== "stale";
      if (data.status === "saved") {
        adopt(data.draft);
        forget();
        draw();
        say(data.message, "done");
        return true;
      }
      if (data.status === "stale") { draft = data.draft; }
      say([data.message].concat(data.errors || []).join(" "), "error");
      if (data.status === "stale") { $("reload").focus(); }
      return false;
    });
  }

  function reload() {
    request("GET", "/draft").then(function (answer) {
      adopt(answer.data);
      forget();
      $("stale").hidden = true;
      showErrors({});
      draw();
      say("");
    });
  }

  function discard() {
    adopt(draft);
    forget();
    showErrors({});
    draw();
    say("");
  }

  function listen(n) {
    var line = state.lines[n];
    say(fill(t.listening, { n: n + 1 }));
    var body = { text: line.text, voice: line.voice, speed: line.speed || state.options.speed || 1 };
    request("POST", "/listen", body).then(function (answer) {
      if (answer.data.error) { say(answer.data.error, "error"); return; }
      var audio = $("listen-audio");
      audio.src = answer.data.clip;
      audio.dataset.line = String(n + 1);
      say("");
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () { /* no sound device */ }); }
    });
  }

  function preview() {
    say(t.previewing);
    request("POST", "/preview", {}).then(function (answer) {
      if (answer.data.error) { say(answer.data.error, "error"); return; }
      $("preview-box").hidden = false;
      $("preview-player").src = answer.data.video + "&at=" + Date.now();
      say("");
    });
  }

  function render() {
    var dirty = kept() !== null;
    (dirty ? save() : Promise.resolve(true)).then(function (saved) {
      if (!saved) { return; }
      $("render").disabled = true;
      request("POST", "/render", {}).then(function (answer) {
        var data = answer.data;
        $("render").disabled = false;
        if (data.error || data.refused || !data.job) {
          say(data.error || (data.said || []).join(" "), "error");
          return;
        }
        $("work").hidden = false;
        $("job-message").textContent = t.queued;
        watch(data.job);
      });
    });
  }

  function watch(job) {
    if (polling) { clearTimeout(polling); }
    request("GET", "/job?id=" + job).then(function (answer) {
      var data = answer.data;
      $("progress").value = data.percent || 0;
      if (!data.ended) {
        $("job-message").textContent = fill(t.progress, { stage: data.stage || "", percent: data.percent || 0 });
        polling = setTimeout(function () { watch(job); }, 1000);
        return;
      }
      $("job-message").textContent = data.message || "";
      if (data.video) {
        $("progress").value = 100;
        $("result-box").hidden = false;
        $("result").src = data.video;
        document.body.classList.add("rendered");
      }
    });
  }

  // Start -------------------------------------------------------------------------------------

  function start() {
    adopt(config.draft);
    var stored = kept();
    if (stored && stored.lines) {
      state = stored;
      say(t.unsaved);
    }
    draw();
    drawShots();
    follow();
    $("save").addEventListener("click", save);
    $("discard").addEventListener("click", discard);
    $("reload").addEventListener("click", reload);
    $("preview").addEventListener("click", preview);
    $("render").addEventListener("click", render);
    document.body.classList.add("ready");
  }

  start();
})();
