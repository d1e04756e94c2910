// 网上投诉代理工作平台: small behaviours, no inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // Downloads (links and forms marked data-download): the page says 「正在生成…」 until the
  // file arrives. The request carries a random token; the response sets it in a cookie
  // (xinfang/core/downloads.py), which is watched for here.
  var DOWNLOAD_COOKIE = "xinfang_download=";
  function downloadToken() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function whenDownloaded(token, done) {
    var tries = 0;
    var timer = setInterval(function () {
      var arrived = document.cookie.split("; ").indexOf(DOWNLOAD_COOKIE + token) >= 0;
      if (arrived || ++tries > 1200) {  // give up after ten minutes
        clearInterval(timer);
        document.cookie = DOWNLOAD_COOKIE + "; Max-Age=0; path=/";
        done(arrived);
      }
    }, 500);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-download]");
    if (!link) return;
    if (link.classList.contains("is-busy")) { event.preventDefault(); return; }
    var token = downloadToken();
    var url = new URL(link.href, window.location.href);
    url.searchParams.set("download_token", token);
    link.href = url.toString();
    var text = link.textContent;
    link.classList.add("is-busy");
    link.textContent = link.dataset.busy || "正在生成…";
    whenDownloaded(token, function () { link.textContent = text; link.classList.remove("is-busy"); });
  });

  // A form posts once: the button is disabled and says what is happening.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    var buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach(function (button) {
      button.dataset.idle = button.textContent;
      button.classList.add("is-busy");
      if (button.dataset.busy) button.textContent = button.dataset.busy;
      setTimeout(function () { button.disabled = true; }, 0);
    });
    if (form.hasAttribute("data-download")) {
      // The page stays; once the file has arrived the form can be used again.
      var token = downloadToken();
      var field = form.querySelector("input[name=download_token]");
      if (!field) {
        field = document.createElement("input");
        field.type = "hidden"; field.name = "download_token";
        form.appendChild(field);
      }
      field.value = token;
      whenDownloaded(token, function () {
        delete form.dataset.submitted;
        buttons.forEach(function (b) { b.disabled = false; b.classList.remove("is-busy"); b.textContent = b.dataset.idle; });
      });
    }
  });
  // Coming back with the browser's back button re-enables the form.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; b.classList.remove("is-busy"); });
    });
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.className = "hidden-copy";
    document.body.appendChild(area); area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  function flash(button, text) {
    var note = document.createElement("span");
    note.className = "copied"; note.textContent = text;
    button.after(note);
    setTimeout(function () { note.remove(); }, 1800);
  }

  // Reveal a masked value: an explicit, logged action on the server.
  function reveal(button) {
    return fetch(button.dataset.revealUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("reveal refused");
      return response.json();
    }).then(function (data) {
      var target = document.getElementById(button.dataset.target);
      if (target) { target.textContent = data.value; target.dataset.value = data.value; }
      return data.value;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reveal-url]:not([data-copy])");
    if (button) {
      event.preventDefault();
      reveal(button).then(function () { button.remove(); }, function () { flash(button, "无法显示"); });
      return;
    }
    button = event.target.closest("[data-copy]");
    if (!button) return;
    event.preventDefault();
    var target = document.getElementById(button.dataset.copy);
    var getValue = target && target.dataset.value !== undefined
      ? Promise.resolve(target.dataset.value)
      : (button.dataset.revealUrl ? reveal(button) : Promise.resolve(target ? target.textContent : ""));
    getValue.then(copyText).then(function () { flash(button, "已复制"); }, function () { flash(button, "复制失败，请手动选择"); });
  });
})();

// Print buttons of document views (授权委托书 …): [data-print] prints the page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-print]")) return;
    event.preventDefault();
    window.print();
  });
})();
