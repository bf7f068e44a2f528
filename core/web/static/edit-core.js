// The edit page's shared part (window.EditPage): its config and words, the draft and its
// edited state, unsaved changes kept in localStorage, and the JSON round trip to the server.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var storeKey = "voiceover-edit:" + config.base;
  var E = {
    config: config,
    t: config.text,
    draft: null, // the server's draft (its version is what a save is made on)
    state: null, // {version, lines, options} as edited here
    PX_PER_S: 60, // the ruler's scale: a drag of 60 px moves a start by 1 s
    STEP_S: 0.1,
  };
  window.EditPage = E;

  E.$ = function (id) { return document.getElementById(id); };

  E.fill = function (template, fields) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return fields[key]; });
  };

  E.url = function (tail) {
    var parts = tail.split("?");
    return config.base + parts[0] + "?" + config.query + (parts[1] ? "&" + parts[1] : "");
  };

  E.say = function (text, kind) {
    var box = E.$("message");
    box.textContent = text || "";
    box.className = kind || "";
  };

  E.round = function (value) { return Math.round(value * 100) / 100; };

  E.copy = function (value) { return JSON.parse(JSON.stringify(value)); };

  E.keep = function () {
    try { localStorage.setItem(storeKey, JSON.stringify(E.state)); } catch (e) { /* full */ }
  };

  E.forget = function () {
    try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
  };

  E.kept = function () {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  };

  E.changed = function () {
    E.keep();
    E.say(E.t.unsaved);
    E.drawRuler();
  };

  E.adopt = function (fresh) {
    E.draft = fresh;
    E.state = { version: fresh.version, lines: E.copy(fresh.lines), options: E.copy(fresh.options) };
  };

  // A JSON request; a 429 (too many saves or listens) answers {error} with its words.
  E.request = function (method, tail, body) {
    var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(E.url(tail), options).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  };
})();
