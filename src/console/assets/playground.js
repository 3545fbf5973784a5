// Playground: the widget (mounted by widget.js into #playground-chat) plus the conversation's
// variables and history, refreshed after each message; reset and "start at any flow".
(function () {
  "use strict";
  function visitor() {
    var root = document.querySelector("[data-rapport-chat]");
    return root ? root.getAttribute("data-visitor") : "";
  }
  function cell(tr, text) { var td = document.createElement("td"); td.textContent = text; tr.appendChild(td); }
  var timer;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var v = visitor();
      if (!v) return;
      fetch("/console/api/playground/state?visitor=" + encodeURIComponent(v), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          document.getElementById("pg-vars").textContent = JSON.stringify(s.variables, null, 2);
          document.getElementById("pg-position").textContent = s.flow ? "In flow " + s.flow + (s.step ? ", at step " + s.step : "") : "Not in a flow.";
          var body = document.querySelector("#pg-history tbody");
          body.textContent = "";
          s.history.forEach(function (h) {
            var tr = document.createElement("tr");
            cell(tr, new Date(h.at).toLocaleTimeString()); cell(tr, h.kind); cell(tr, h.where); cell(tr, h.text);
            body.appendChild(tr);
          });
        });
    }, 150);
  }
  document.addEventListener("rapport:message", refresh);
  document.getElementById("reset-button").addEventListener("click", function () { window.RapportChat.reset(); });
  document.getElementById("start-button").addEventListener("click", function () {
    var select = document.getElementById("start-flow");
    var option = select.options[select.selectedIndex];
    var command = option.getAttribute("data-command");
    if (command) return window.RapportChat.send("/" + command);
    window.consolePost("/console/api/playground/start", { visitor: visitor(), flow: select.value })
      .then(refresh)
      .catch(function (e) { alert(e.message); });
  });
})();
