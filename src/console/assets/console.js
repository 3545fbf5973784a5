// Rapport console: what every page shares. Plain script, no build, no library.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  /** POSTs JSON with the session's CSRF token; resolves with the parsed answer. */
  window.consolePost = function (path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": meta ? meta.content : "" },
      body: JSON.stringify(body || {}),
    }).then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message || r.statusText); return j; }); });
  };
  // Buttons that ask before acting (erase): data-confirm holds the question.
  document.addEventListener("submit", function (e) {
    var q = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (q && !window.confirm(q)) e.preventDefault();
  });
})();
