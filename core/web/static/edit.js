// The edit page: the draft's lines as a list (the ruler is edit-ruler.js, the shared part
// edit-core.js), the project's options, Save / Listen / Preview / Render.
(function () {
  "use strict";
  var E = window.EditPage;
  var $ = E.$;
  var polling = null;

  function voiceOptions(select, withAuto) {
    select.textContent = "";
    if (withAuto) {
      var auto = document.createElement("option");
      auto.value = "";
      auto.textContent = E.fill(E.t.auto_voice, { voice: E.draft.auto_voice || "?" });
      select.appendChild(auto);
    }
    E.config.voices.forEach(function (voice) {
      var option = document.createElement("option");
      option.value = voice.id;
      option.textContent = voice.id + (voice.gender ? " (" + voice.gender + ")" : "");
      select.appendChild(option);
    });
  }

  function drawLines() {
    var list = $("lines");
    list.textContent = "";
    E.state.lines.forEach(function (line, n) {
      var row = $("line-template").content.firstElementChild.cloneNode(true);
      row.dataset.n = String(n);
      row.id = "line-" + (n + 1);
      row.querySelector(".line-title").textContent = E.fill(E.t.line, { n: n + 1 });
      var text = row.querySelector(".text");
      text.value = line.text;
      text.addEventListener("input", function () { line.text = text.value; E.changed(); });
      var start = row.querySelector(".start");
      start.value = String(line.start);
      start.addEventListener("change", function () {
        line.start = Math.max(0, E.round(Number(start.value) || 0));
        E.changed();
      });
      var voice = row.querySelector(".voice");
      voiceOptions(voice, false);
      voice.value = line.voice || E.draft.auto_voice;
      voice.addEventListener("change", function () { line.voice = voice.value; E.changed(); });
      var speed = row.querySelector(".speed");
      speed.value = line.speed ? String(line.speed) : "";
      speed.placeholder = E.t.same_speed;
      speed.addEventListener("change", function () {
        line.speed = speed.value === "" ? null : Number(speed.value);
        E.changed();
      });
      var pause = row.querySelector(".pause");
      pause.value = String(line.pause || 0);
      pause.addEventListener("change", function () { line.pause = Number(pause.value) || 0; E.changed(); });
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

  var NUMBERS = { speed: 1, caption_scale: 1, music_volume: 100 }; // music shown in percent
  var LOOKS = ["caption_style", "caption_position", "caption_colour", "caption_scale"];

  function shown(name, value) {
    if (name === "music_volume") { return String(Math.round(value * 100)); }
    return value === null || value === undefined ? "" : String(value);
  }

  function drawOptions() {
    voiceOptions($("opt-voice"), true);
    document.querySelectorAll("[data-option]").forEach(function (control) {
      var name = control.dataset.option;
      control.value = shown(name, E.state.options[name]);
      control.onchange = function () {
        var raw = control.value;
        E.state.options[name] = NUMBERS[name] ? Number(raw) / (name === "music_volume" ? 100 : 1) : raw;
        if (LOOKS.indexOf(name) >= 0 && E.state.options.captions !== "burn") {
          E.state.options.captions = "burn"; // as in the chat: a look is drawn on burned-in captions
          $("opt-captions").value = "burn";
        }
        E.changed();
      };
    });
  }

  function showOptionErrors(optionErrors) {
    document.querySelectorAll(".option-error").forEach(function (box) {
      var problem = (optionErrors || {})[box.dataset.for] || "";
      var control = document.querySelector('[data-option="' + box.dataset.for + '"]');
      box.textContent = problem;
      if (problem) { control.setAttribute("aria-invalid", "true"); } else { control.removeAttribute("aria-invalid"); }
    });
  }

  function draw() {
    drawLines();
    E.drawRuler();
    drawOptions();
  }

  function save() {
    return E.request("POST", "/draft", E.state).then(function (answer) {
      var data = answer.data;
      showErrors(data.line_errors);
      showOptionErrors(data.option_errors);
      $("stale").hidden = data.status !== "stale";
      if (data.status === "saved") {
        E.adopt(data.draft);
        E.forget();
        draw();
        E.say(data.message, "done");
        return true;
      }
      if (data.status === "stale") { E.draft = data.draft; }
      E.say([data.message].concat(data.errors || []).join(" "), "error");
      if (data.status === "stale") { $("reload").focus(); }
      var wrong = document.querySelector('[aria-invalid="true"], .line.wrong textarea');
      if (data.status === "invalid" && wrong) { wrong.focus(); }
      return false;
    });
  }

  function reload() {
    E.request("GET", "/draft").then(function (answer) {
      E.adopt(answer.data);
      E.forget();
      $("stale").hidden = true;
      showErrors({});
      showOptionErrors({});
      draw();
      E.say("");
    });
  }

  function discard() {
    E.adopt(E.draft);
    E.forget();
    showErrors({});
    showOptionErrors({});
    draw();
    E.say("");
  }

  function listen(n) {
    var line = E.state.lines[n];
    E.say(E.fill(E.t.listening, { n: n + 1 }));
    var body = { text: line.text, voice: line.voice, speed: line.speed || E.state.options.speed || 1 };
    E.request("POST", "/listen", body).then(function (answer) {
      if (answer.data.error) { E.say(answer.data.error, "error"); return; }
      var audio = $("listen-audio");
      audio.src = answer.data.clip;
      audio.dataset.line = String(n + 1);
      E.say("");
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () { /* no sound device */ }); }
    });
  }

  function preview() {
    E.say(E.t.previewing);
    E.request("POST", "/preview", {}).then(function (answer) {
      if (answer.data.error) { E.say(answer.data.error, "error"); return; }
      $("preview-box").hidden = false;
      $("preview-player").src = answer.data.video + "&at=" + Date.now();
      E.say("");
    });
  }

  function render() {
    var dirty = E.kept() !== null;
    (dirty ? save() : Promise.resolve(true)).then(function (saved) {
      if (!saved) { return; }
      $("render").disabled = true;
      E.request("POST", "/render", {}).then(function (answer) {
        var data = answer.data;
        $("render").disabled = false;
        if (data.error || data.refused || !data.job) {
          E.say(data.error || (data.said || []).join(" "), "error");
          return;
        }
        $("work").hidden = false;
        $("job-message").textContent = E.t.queued;
        watch(data.job);
      });
    });
  }

  function watch(job) {
    if (polling) { clearTimeout(polling); }
    E.request("GET", "/job?id=" + job).then(function (answer) {
      var data = answer.data;
      $("progress").value = data.percent || 0;
      if (!data.ended) {
        $("job-message").textContent = E.fill(E.t.progress, { stage: data.stage || "", percent: data.percent || 0 });
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

  function start() {
    E.adopt(E.config.draft);
    var stored = E.kept();
    if (stored && stored.lines) {
      E.state = stored;
      E.say(E.t.unsaved);
    }
    draw();
    E.drawShots();
    E.follow();
    $("save").addEventListener("click", save);
    $("discard").addEventListener("click", discard);
    $("reload").addEventListener("click", reload);
    $("preview").addEventListener("click", preview);
    $("render").addEventListener("click", render);
    document.body.classList.add("ready");
  }

  start();
})();
