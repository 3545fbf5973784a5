// Flows page: clicking (or Enter/Space on) a step shows its YAML lines and texts; the view redraws
// when a flow or locale file changes on the server (the fingerprint endpoint, asked every 2 s).
(function () {
  "use strict";
  function show(stepId) {
    document.querySelectorAll("[data-step-detail]").forEach(function (s) { s.hidden = s.getAttribute("data-step-detail") !== stepId; });
    document.querySelectorAll("svg .node[data-step]").forEach(function (n) { n.classList.toggle("selected", n.getAttribute("data-step") === stepId); });
    var d = document.querySelector('[data-step-detail="' + CSS.escape(stepId) + '"]');
    if (d) d.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("click", function (e) {
    var node = e.target.closest && e.target.closest("svg .node[data-step]");
    if (node) show(node.getAttribute("data-step"));
  });
  document.addEventListener("keydown", function (e) {
    var node = e.target.closest && e.target.closest("svg .node[data-step]");
    if (node && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); show(node.getAttribute("data-step")); }
  });
  var view = document.getElementById("flow-view");
  if (!view) return;
  setInterval(function () {
    fetch("/console/api/flows/fingerprint", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (j) {
      if (j.fingerprint === view.getAttribute("data-fingerprint")) return;
      return fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("flow-view");
        var list = doc.querySelector(".file-list");
        if (fresh) { view.innerHTML = fresh.innerHTML; view.setAttribute("data-fingerprint", fresh.getAttribute("data-fingerprint")); }
        if (list) document.querySelector(".file-list").innerHTML = list.innerHTML;
        view.dispatchEvent(new CustomEvent("flows:reloaded", { bubbles: true }));
      });
    }).catch(function () { /* server restarting: try again next tick */ });
  }, 2000);
})();
