// The upload page: check the file, send it with tus (resumable), show progress, speed, time left.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var t = config.text;
  var $ = function (id) { return document.getElementById(id); };
  var upload = null;
  var running = false;
  var mark = null; // {at: ms, bytes: n} where the speed is measured from

  function say(text, kind) {
    var box = $("message");
    box.textContent = text;
    box.className = kind || "";
  }

  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return fields[key]; });
  }

  function size(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
    return (unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, "")) + " " + units[unit];
  }

  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var m = Math.floor(s / 60);
    var rest = s % 60;
    return m + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function refusal(file) {
    var dot = file.name.lastIndexOf(".");
    var suffix = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    if (config.suffixes.indexOf(suffix) < 0) {
      return fill(t.bad_type, { name: file.name });
    }
    if (file.size > config.maxBytes) {
      return fill(t.too_big, { name: file.name, size: size(file.size), most: size(config.maxBytes) });
    }
    return null;
  }

  function progress(sent, total) {
    var percent = total ? Math.floor((sent / total) * 100) : 0;
    $("fill").style.width = percent + "%";
    $("percent").textContent = percent + "%";
    var now = Date.now();
    if (mark === null) { mark = { at: now, bytes: sent }; return; }
    var seconds = (now - mark.at) / 1000;
    if (seconds < 0.5) { return; }
    var speed = (sent - mark.bytes) / seconds;
    if (speed > 0) {
      $("speed").textContent = fill(t.speed, { speed: size(speed), left: clock((total - sent) / speed) });
    }
  }

  function setRunning(value) {
    running = value;
    $("toggle").textContent = value ? t.pause : t.resume;
    mark = null;
  }

  function start(file) {
    var problem = refusal(file);
    if (problem) { say(problem, "error"); return; }
    if (upload && running) { upload.abort(); }
    say("");
    $("progress").hidden = false;
    $("name").textContent = fill(t.uploading, { name: file.name });
    $("toggle").hidden = false;
    upload = new tus.Upload(file, {
      endpoint: config.endpoint,
      chunkSize: config.chunkBytes,
      retryDelays: [0, 1000, 2000, 3000, 5000, 5000, 10000, 10000, 20000, 30000],
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      removeFingerprintOnSuccess: true,
      onProgress: progress,
      onShouldRetry: function (error) {
        var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        var retry = !status || status === 409 || status === 423 || status >= 500;
        if (retry) { say(t.resuming); }
        return retry;
      },
      onChunkComplete: function () { if ($("message").textContent === t.resuming) { say(""); } },
      onError: function (error) {
        setRunning(false);
        var status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        if (status === 410) { say(t.expired, "error"); }
        else if (status === 403) { say(t.invalid, "error"); }
        else { say(fill(t.failed, { reason: String(error.message || error).split("\n")[0] }), "error"); }
      },
      onSuccess: function () {
        setRunning(false);
        progress(file.size, file.size);
        $("toggle").hidden = true;
        $("speed").textContent = "";
        say(t.done, "done");
        document.body.classList.add("finished");
      }
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) { upload.resumeFromPreviousUpload(previous[0]); say(t.resuming); }
      setRunning(true);
      upload.start();
    });
  }

  $("file").addEventListener("change", function (event) {
    if (event.target.files.length) { start(event.target.files[0]); }
  });
  $("toggle").addEventListener("click", function () {
    if (!upload) { return; }
    if (running) { upload.abort(); setRunning(false); say(t.paused); }
    else { say(""); setRunning(true); upload.start(); }
  });
  var drop = $("drop");
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) { start(files[0]); }
  });
})();
