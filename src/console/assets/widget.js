// Rapport web chat widget: one <script src="https://<rapport>/webchat/widget.js" async></script> on any
// page. Plain script, no dependencies, no cookies: the visitor's token stays in this site's
// localStorage. Options as data- attributes on the script tag:
//   data-title="Chat with us"   data-locale="pl" (default: the browser's language)
//   data-target="#css-selector" (show inline in that element instead of a floating button)
//   data-storage-key="..."      (where the token is kept; default rapport-webchat)
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="/webchat/widget.js"]');
  var base = new URL(script.src, location.href).origin;
  var opt = script.dataset || {};
  var storageKey = opt.storageKey || "rapport-webchat";
  var locale = opt.locale || navigator.language || "en";
  // The widget's own words in the visitor's language (the bot's texts come translated from Rapport).
  var WORDS = {
    en: { title: "Chat", message: "Your message", placeholder: "Type a message", send: "Send", telegram: "Continue in Telegram", answers: "Answers", log: "Conversation", failed: "Not sent; try again.", offline: "Not sent: no connection. Try again.", code: "To continue this chat in Telegram, send the bot: /start web-{code} (valid until {time}).", open: "Open Telegram", unavailable: "Not available." },
    ru: { title: "Чат", message: "Ваше сообщение", placeholder: "Напишите сообщение", send: "Отправить", telegram: "Продолжить в Telegram", answers: "Ответы", log: "Переписка", failed: "Не отправлено, попробуйте ещё раз.", offline: "Не отправлено: нет связи. Попробуйте ещё раз.", code: "Чтобы продолжить этот чат в Telegram, отправьте боту: /start web-{code} (действует до {time}).", open: "Открыть Telegram", unavailable: "Недоступно." },
    pl: { title: "Czat", message: "Twoja wiadomość", placeholder: "Napisz wiadomość", send: "Wyślij", telegram: "Kontynuuj w Telegramie", answers: "Odpowiedzi", log: "Rozmowa", failed: "Nie wysłano, spróbuj ponownie.", offline: "Nie wysłano: brak połączenia. Spróbuj ponownie.", code: "Aby kontynuować ten czat w Telegramie, wyślij botowi: /start web-{code} (ważne do {time}).", open: "Otwórz Telegram", unavailable: "Niedostępne." },
    vi: { title: "Trò chuyện", message: "Tin nhắn của bạn", placeholder: "Nhập tin nhắn", send: "Gửi", telegram: "Tiếp tục trên Telegram", answers: "Câu trả lời", log: "Cuộc trò chuyện", failed: "Chưa gửi được, bạn thử lại nhé.", offline: "Chưa gửi được: mất kết nối. Bạn thử lại nhé.", code: "Để tiếp tục trên Telegram, bạn gửi cho bot: /start web-{code} (dùng được đến {time}).", open: "Mở Telegram", unavailable: "Chưa dùng được." },
    "zh-CN": { title: "聊天", message: "您的消息", placeholder: "输入消息", send: "发送", telegram: "在 Telegram 继续", answers: "选项", log: "对话", failed: "未发送，请重试。", offline: "未发送：没有网络连接，请重试。", code: "要在 Telegram 继续此聊天，请向机器人发送：/start web-{code}（{time} 前有效）。", open: "打开 Telegram", unavailable: "暂不可用。" },
    "zh-TW": { title: "聊天", message: "您的訊息", placeholder: "輸入訊息", send: "傳送", telegram: "在 Telegram 繼續", answers: "選項", log: "對話", failed: "未傳送，請重試。", offline: "未傳送：沒有網路連線，請重試。", code: "要在 Telegram 繼續此聊天，請向機器人傳送：/start web-{code}（{time} 前有效）。", open: "開啟 Telegram", unavailable: "暫不可用。" },
  };
  var lang = locale.toLowerCase();
  var words = WORDS[/^zh-(tw|hk|mo|hant)/.test(lang) ? "zh-TW" : /^zh/.test(lang) ? "zh-CN" : lang.slice(0, 2)] || WORDS.en;
  var title = opt.title || words.title;
  var api = base + "/webchat/v1";

  function newToken() {
    var bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    var s = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return (opt.tokenPrefix || "") + s;
  }
  var token = localStorage.getItem(storageKey);
  if (!token || !/^(pg\.)?[A-Za-z0-9_-]{22,128}$/.test(token)) { token = newToken(); localStorage.setItem(storageKey, token); }

  var css = document.createElement("link");
  css.rel = "stylesheet"; css.href = base + "/webchat/widget.css";
  document.head.appendChild(css);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var host = opt.target ? document.querySelector(opt.target) : null;
  var root = el("div", { class: "rapport-chat" + (host ? " rapport-inline" : " rapport-floating"), "data-rapport-chat": "" });
  var panel = el("section", { class: "rapport-panel", "aria-label": title });
  var head = el("div", { class: "rapport-head" });
  head.appendChild(el("h2", { class: "rapport-title" }, title));
  var log = el("div", { class: "rapport-log", role: "log", "aria-live": "polite", "aria-label": words.log, tabindex: "0" });
  var form = el("form", { class: "rapport-form" });
  var inputId = "rapport-input-" + Math.random().toString(36).slice(2, 8);
  var label = el("label", { for: inputId, class: "rapport-sr" }, words.message);
  var input = el("input", { id: inputId, type: "text", autocomplete: "off", maxlength: "4000", placeholder: words.placeholder });
  var send = el("button", { type: "submit", class: "rapport-send" }, words.send);
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  var tools = el("div", { class: "rapport-tools" });
  var linkBtn = el("button", { type: "button", class: "rapport-link" }, words.telegram);
  tools.appendChild(linkBtn);
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(form); panel.appendChild(tools);

  if (host) {
    root.appendChild(panel);
    host.appendChild(root);
  } else {
    var launcher = el("button", { type: "button", class: "rapport-launcher", "aria-expanded": "false" }, title);
    panel.hidden = true;
    launcher.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      launcher.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) input.focus();
    });
    root.appendChild(panel); root.appendChild(launcher);
    document.body.appendChild(root);
  }

  function notify(detail) { document.dispatchEvent(new CustomEvent("rapport:message", { detail: detail })); }

  function show(direction, text, choices, valuesOnly) {
    var row = el("div", { class: "rapport-msg rapport-" + direction });
    row.appendChild(el("p", {}, text));
    if (choices && choices.length && direction === "bot") {
      var group = el("div", { class: "rapport-choices", role: "group", "aria-label": words.answers });
      choices.forEach(function (c) {
        var b = el("button", { type: "button", class: "rapport-choice", "data-value": c.value }, c.label);
        b.addEventListener("click", function () {
          group.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          b.setAttribute("aria-pressed", "true");
          post({ choice: { value: c.value, label: c.label } }, c.label);
        });
        group.appendChild(b);
      });
      row.appendChild(group);
    }
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    notify({ direction: direction, text: text });
  }

  function post(payload, shown) {
    show("me", shown);
    payload.token = token; payload.locale = locale;
    return fetch(api + "/messages", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) show("note", j.message || words.failed); notify({ direction: "sent" }); return j; }); })
      .catch(function () { show("note", words.offline); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    post({ text: text }, text);
  });

  linkBtn.addEventListener("click", function () {
    fetch(api + "/link", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: token }) })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (!j.code) return show("note", j.message || words.unavailable);
        var row = el("div", { class: "rapport-msg rapport-note" });
        row.appendChild(el("p", {}, words.code.replace("{code}", j.code).replace("{time}", new Date(j.expiresAt).toLocaleTimeString(locale))));
        if (j.link) { var a = el("a", { href: j.link, target: "_blank", rel: "noopener" }, words.open); row.appendChild(a); }
        log.appendChild(row);
      });
  });

  // Message ids are the server's outbox ids: they sort by time, and any instance can resume after one.
  var since = "";
  var shown = {};
  var source;
  function listen() {
    source = new EventSource(api + "/events?token=" + encodeURIComponent(token) + "&since=" + encodeURIComponent(since));
    source.addEventListener("message", function (e) {
      var m = JSON.parse(e.data);
      if (shown[m.id]) return;
      shown[m.id] = true;
      if (m.id > since) since = m.id;
      show("bot", m.text, m.choices, m.choicesAreValues);
    });
  }

  fetch(api + "/history?token=" + encodeURIComponent(token))
    .then(function (r) { return r.json(); })
    .then(function (h) {
      root.setAttribute("data-visitor", h.visitor || "");
      (h.messages || []).forEach(function (m, i, all) {
        if (m.id) shown[m.id] = true;
        show(m.direction === "in" ? "me" : "bot", m.text, i === all.length - 1 ? m.choices : null);
      });
      since = h.lastId || "";
      listen();
      root.setAttribute("data-ready", "true");
      notify({ direction: "ready" });
    })
    .catch(function () { listen(); });

  window.RapportChat = {
    root: root,
    send: function (text) { return post({ text: text }, text); },
    /** Forgets this visitor: the next message starts a new customer. */
    reset: function () {
      if (source) source.close();
      localStorage.setItem(storageKey, newToken());
      location.reload();
    },
  };
})();
