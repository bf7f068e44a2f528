// The edit page's time ruler: a block per line (dragged, or moved with the arrow keys), the
// cuts, the playhead following the player, and the shot strip.
(function () {
  "use strict";
  var E = window.EditPage;
  var $ = E.$;

  E.lineDuration = function (line) {
    var words = line.text.split(/\s+/).filter(Boolean).length || Math.ceil(line.text.length / 3);
    var speed = Number(line.speed || E.state.options.speed || 1);
    return Math.max(0.6, words / 2.6 / speed) + Number(line.pause || 0);
  };

  function drawCuts(track) {
    (E.draft.media.cuts || []).forEach(function (at) { // where each shot begins
      var cut = document.createElement("div");
      cut.className = "cut";
      cut.setAttribute("aria-hidden", "true");
      cut.style.left = at * E.PX_PER_S + "px";
      track.appendChild(cut);
    });
  }

  function block(line, n) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "block";
    button.id = "block-" + (n + 1);
    button.textContent = String(n + 1);
    button.setAttribute("aria-label", E.fill(E.t.block, { n: n + 1, at: line.start.toFixed(1) }));
    button.style.left = line.start * E.PX_PER_S + "px";
    button.style.width = Math.max(24, E.lineDuration(line) * E.PX_PER_S - 2) + "px";
    button.style.top = (n % 2) * 26 + 4 + "px";
    drag(button, line, n);
    button.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 1 : E.STEP_S;
      if (event.key === "ArrowRight") { moveTo(line, n, line.start + step); }
      else if (event.key === "ArrowLeft") { moveTo(line, n, line.start - step); }
      else { return; }
      event.preventDefault();
      $("block-" + (n + 1)).focus();
    });
    return button;
  }

  E.drawRuler = function () {
    var track = $("track");
    var end = Math.max(E.draft.media.duration || 0, 1);
    E.state.lines.forEach(function (line) { end = Math.max(end, line.start + E.lineDuration(line)); });
    track.style.width = Math.ceil((end + 1) * E.PX_PER_S) + "px";
    track.querySelectorAll(".block, .cut").forEach(function (old) { old.remove(); });
    drawCuts(track);
    E.state.lines.forEach(function (line, n) { track.appendChild(block(line, n)); });
  };

  function moveTo(line, n, seconds) {
    line.start = Math.max(0, E.round(Math.round(seconds / E.STEP_S) * E.STEP_S));
    var input = document.querySelector("#line-" + (n + 1) + " .start");
    if (input) { input.value = String(line.start); }
    E.changed();
  }

  function drag(button, line, n) {
    var from = null;
    button.addEventListener("pointerdown", function (event) {
      from = { x: event.clientX, start: line.start };
      button.setPointerCapture(event.pointerId);
    });
    button.addEventListener("pointermove", function (event) {
      if (!from) { return; }
      button.style.left = Math.max(0, from.start * E.PX_PER_S + event.clientX - from.x) + "px";
    });
    button.addEventListener("pointerup", function (event) {
      if (!from) { return; }
      var moved = (event.clientX - from.x) / E.PX_PER_S;
      var start = from.start;
      from = null;
      if (Math.abs(moved) >= E.STEP_S / 2) { moveTo(line, n, start + moved); }
    });
  }

  E.follow = function () {
    var player = $("player");
    if (!player) { return; }
    player.addEventListener("timeupdate", function () {
      $("playhead").style.left = player.currentTime * E.PX_PER_S + "px";
    });
  };

  E.drawShots = function () {
    var cuts = E.draft.media.cuts || [];
    if (!cuts.length || E.draft.media.kind !== "video") { return; }
    var list = $("shot-list");
    list.textContent = "";
    [0].concat(cuts).forEach(function (at, n) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "shot";
      var label = E.fill(E.t.shot_at, { at: at.toFixed(1) + " s" });
      var picture = document.createElement("img");
      picture.src = E.url("/shot/" + n + ".jpg");
      picture.alt = label;
      picture.width = 96;
      picture.height = 54;
      button.appendChild(picture);
      button.addEventListener("click", function () { $("player").currentTime = at; });
      item.appendChild(button);
      list.appendChild(item);
    });
    $("shots").hidden = false;
  };
})();
