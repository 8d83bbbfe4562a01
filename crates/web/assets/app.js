/* 管家 · 物业客服系统 — page behaviour.
 *
 * Plain JS, no framework. Loaded with `defer` on every page, after htmx 2
 * (also deferred, so `window.htmx` exists here when the page includes it;
 * the login and error pages do not).
 *
 *  1. CSRF token for htmx requests and for fetch (window.Guanjia)
 *  2. htmx response handling (422/409 re-rendered forms are swapped)
 *  3. Confirmation dialog for form[data-confirm] (+ reason for data-reason)
 *  4. "/" focuses the search box
 *  5. Toast fades out
 *  6. First field with an error is scrolled into view and focused
 *  7. The user menu closes on outside click / Escape
 */
(function () {
  "use strict";

  var doc = document;

  /* ───────── 1. CSRF ───────── */

  function csrfToken() {
    var m = doc.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") || "" : "";
  }

  function sameOrigin(url) {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch (e) {
      return false;
    }
  }

  /** fetch() that adds the X-CSRF-Token header to same-origin requests. */
  function csrfFetch(input, init) {
    init = Object.assign({ credentials: "same-origin" }, init || {});
    var url = typeof input === "string" ? input : input && input.url;
    var token = csrfToken();
    if (token && sameOrigin(url)) {
      var headers = new Headers(init.headers || (input && input.headers) || {});
      if (!headers.has("X-CSRF-Token")) headers.set("X-CSRF-Token", token);
      init.headers = headers;
    }
    return fetch(input, init);
  }

  var api = window.Guanjia || (window.Guanjia = {});
  Object.defineProperty(api, "csrfToken", { get: csrfToken, enumerable: true, configurable: true });
  api.csrfHeaders = function () { var t = csrfToken(); return t ? { "X-CSRF-Token": t } : {}; };
  api.fetch = csrfFetch;
  api.toast = showToast;
  api.confirm = openConfirm;

  doc.addEventListener("htmx:configRequest", function (e) {
    var token = csrfToken();
    if (token && e.detail && e.detail.headers) e.detail.headers["X-CSRF-Token"] = token;
  });

  /* ───────── 2. htmx response handling ───────── */

  if (window.htmx && window.htmx.config) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      // Validation failure / edit conflict: the body is the form re-rendered
      // with its errors, so it replaces the form like a normal response.
      { code: "422", swap: true, error: false },
      { code: "409", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  // Dim the region being replaced while a request is in flight.
  doc.addEventListener("htmx:beforeRequest", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.classList) t.classList.add("is-loading");
  });
  doc.addEventListener("htmx:afterRequest", function (e) {
    var t = e.detail && e.detail.target;
    if (t && t.classList) t.classList.remove("is-loading");
  });
  doc.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail && e.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var msg = status === 403 ? "没有权限或页面已过期，请刷新后重试"
      : status === 404 ? "请求的内容不存在或已被删除"
      : status >= 500 ? "服务器开小差了，请稍后重试（" + status + "）"
      : "请求失败（" + status + "）";
    showToast(msg, true);
  });
  doc.addEventListener("htmx:sendError", function () {
    showToast("网络连接失败，请检查网络后重试", true);
  });
  // New content: re-run the per-page enhancements inside it.
  doc.addEventListener("htmx:afterSettle", function (e) {
    var root = (e.detail && e.detail.elt) || doc;
    if (root.isConnected === false) root = doc;
    focusFirstError(root);
    initToasts(root);
    initUserMenus(root);
    initSearchHints(root);
  });

  /* ───────── 3. Confirmation dialog ───────── */

  var supportsDialog = typeof HTMLDialogElement === "function" &&
    typeof HTMLDialogElement.prototype.showModal === "function";

  /**
   * Opens the confirm dialog. opts: { message, reason (bool), danger (bool),
   * okText }. Calls done(ok, reasonText).
   */
  function openConfirm(opts, done) {
    opts = opts || {};
    var message = opts.message || "确定执行此操作吗？";
    if (!supportsDialog) {
      if (!window.confirm(message)) return done(false);
      if (!opts.reason) return done(true, "");
      var r = window.prompt("原因");
      while (r !== null && !r.trim()) r = window.prompt("请填写原因");
      return r === null ? done(false) : done(true, r.trim());
    }

    var uid = "gj-dlg-" + Date.now().toString(36);
    var dlg = doc.createElement("dialog");
    dlg.className = "confirm-dialog";
    dlg.setAttribute("aria-labelledby", uid + "-t");
    dlg.setAttribute("aria-describedby", uid + "-m");

    var form = doc.createElement("form");
    form.method = "dialog";
    form.noValidate = true;

    var body = el("div", "dialog-body");
    var icon = el("span", "dialog-icon" + (opts.danger ? " is-danger" : ""), "!");
    icon.setAttribute("aria-hidden", "true");
    var main = el("div", "dialog-main");
    var title = el("h2", "dialog-title", opts.title || "操作确认");
    title.id = uid + "-t";
    var msg = el("p", "dialog-message", message);
    msg.id = uid + "-m";
    main.appendChild(title);
    main.appendChild(msg);

    var textarea = null;
    var err = null;
    var reasonBox = null;
    if (opts.reason) {
      reasonBox = el("div", "dialog-reason field");
      var label = el("label");
      label.htmlFor = uid + "-r";
      label.appendChild(el("span", "req", "*"));
      label.appendChild(doc.createTextNode("原因"));
      textarea = doc.createElement("textarea");
      textarea.id = uid + "-r";
      textarea.name = "reason";
      textarea.rows = 3;
      textarea.required = true;
      textarea.setAttribute("aria-required", "true");
      textarea.placeholder = "请填写操作原因，将记入操作日志";
      err = el("div", "field-error", "请填写原因");
      err.id = uid + "-e";
      err.hidden = true;
      err.setAttribute("role", "alert");
      reasonBox.appendChild(label);
      reasonBox.appendChild(textarea);
      reasonBox.appendChild(err);
      main.appendChild(reasonBox);
      textarea.addEventListener("input", function () {
        if (textarea.value.trim()) setReasonError(false);
      });
      textarea.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          ok.click();
        }
      });
    }
    body.appendChild(icon);
    body.appendChild(main);

    var actions = el("div", "dialog-actions");
    var cancel = el("button", "btn", "取消");
    cancel.type = "button";
    cancel.value = "cancel";
    var ok = el("button", "btn " + (opts.danger ? "btn-danger" : "btn-primary"), opts.okText || "确定");
    ok.type = "submit";
    ok.value = "ok";
    actions.appendChild(cancel);
    actions.appendChild(ok);

    form.appendChild(body);
    form.appendChild(actions);
    dlg.appendChild(form);
    doc.body.appendChild(dlg);

    function setReasonError(on) {
      if (!err) return;
      err.hidden = !on;
      reasonBox.classList.toggle("has-error", on);
      if (on) textarea.setAttribute("aria-describedby", err.id);
      else textarea.removeAttribute("aria-describedby");
      textarea.setAttribute("aria-invalid", on ? "true" : "false");
    }

    var settled = false;
    function finish(result, text) {
      if (settled) return;
      settled = true;
      if (dlg.open) dlg.close();
      dlg.remove();
      done(result, text);
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = "";
      if (textarea) {
        text = textarea.value.trim();
        if (!text) {
          setReasonError(true);
          textarea.focus();
          return;
        }
      }
      ok.disabled = true;
      cancel.disabled = true;
      finish(true, text);
    });
    cancel.addEventListener("click", function () { finish(false); });
    // Escape key.
    dlg.addEventListener("cancel", function (e) {
      e.preventDefault();
      finish(false);
    });
    // Click on the backdrop (outside the dialog box) cancels, unless the user
    // has started typing a reason.
    dlg.addEventListener("click", function (e) {
      if (e.target !== dlg) return;
      var r = dlg.getBoundingClientRect();
      var inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
      if (!inside && !(textarea && textarea.value.trim())) finish(false);
    });

    dlg.showModal();
    (textarea || ok).focus();
  }

  function el(tag, cls, text) {
    var n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    return n;
  }

  doc.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (!form.hasAttribute("data-confirm") && !form.hasAttribute("data-reason")) return;
    // Capture phase, so htmx (or anything else) never sees the unconfirmed submit.
    e.preventDefault();
    e.stopImmediatePropagation();
    if (form.getAttribute("aria-busy") === "true") return;

    var submitter = e.submitter || null;
    var danger = !!(submitter && (submitter.classList.contains("danger") || submitter.classList.contains("btn-danger")));
    var needReason = form.hasAttribute("data-reason") && form.getAttribute("data-reason") !== "0" && form.getAttribute("data-reason") !== "false";

    openConfirm({
      message: form.getAttribute("data-confirm"),
      reason: needReason,
      danger: danger,
      okText: form.getAttribute("data-confirm-ok") || "确定"
    }, function (ok, text) {
      if (!ok) {
        if (submitter && submitter.isConnected) submitter.focus();
        return;
      }
      if (needReason) {
        var input = form.querySelector('input[name="reason"]');
        if (!input) {
          input = doc.createElement("input");
          input.type = "hidden";
          input.name = "reason";
          form.appendChild(input);
        }
        input.value = text;
      }
      // form.submit() drops the clicked button's name=value; carry it over.
      if (submitter && submitter.name) {
        var carry = doc.createElement("input");
        carry.type = "hidden";
        carry.name = submitter.name;
        carry.value = submitter.value;
        form.appendChild(carry);
      }
      form.setAttribute("aria-busy", "true");
      if (submitter) submitter.disabled = true;
      HTMLFormElement.prototype.submit.call(form);
    });
  }, true);

  // Coming back via the back/forward cache: re-enable confirmed forms.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    doc.querySelectorAll('form[aria-busy="true"]').forEach(function (f) {
      f.removeAttribute("aria-busy");
      f.querySelectorAll("button:disabled").forEach(function (b) { b.disabled = false; });
    });
  });

  /* ───────── 4. "/" focuses the search box ───────── */

  function isTypingTarget(t) {
    if (!t || !t.closest) return false;
    return !!t.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
  }

  doc.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.defaultPrevented) return;
    if (isTypingTarget(e.target) || isTypingTarget(doc.activeElement)) return;
    if (doc.querySelector("dialog[open]")) return;
    var search = doc.querySelector('input[type="search"]');
    if (!search || search.disabled) return;
    e.preventDefault();
    search.focus();
    search.select();
  });

  function initSearchHints(root) {
    root.querySelectorAll('input[type="search"]').forEach(function (s, i) {
      if (i === 0 && !s.hasAttribute("aria-keyshortcuts")) {
        s.setAttribute("aria-keyshortcuts", "/");
        if (!s.title) s.title = "按 / 键快速定位到搜索框";
      }
    });
  }

  /* ───────── 5. Toast ───────── */

  var TOAST_MS = 3000;

  function dismissToast(t) {
    if (t.classList.contains("toast-hide")) return;
    t.classList.add("toast-hide");
    var gone = false;
    function remove() {
      if (gone) return;
      gone = true;
      t.hidden = true;
      if (t.hasAttribute("data-generated")) t.remove();
    }
    t.addEventListener("transitionend", remove, { once: true });
    setTimeout(remove, 600); // in case transitions are disabled
  }

  function armToast(t) {
    if (t.hasAttribute("data-armed")) return;
    t.setAttribute("data-armed", "");
    setTimeout(function () { dismissToast(t); }, TOAST_MS);
    t.addEventListener("click", function () { dismissToast(t); });
  }

  function initToasts(root) {
    root.querySelectorAll(".toast").forEach(armToast);
  }

  function showToast(message, isError) {
    doc.querySelectorAll(".toast[data-generated]").forEach(function (t) { t.remove(); });
    var t = el("div", "toast" + (isError ? " toast-error" : ""), message);
    t.setAttribute("role", isError ? "alert" : "status");
    t.setAttribute("data-generated", "");
    doc.body.appendChild(t);
    armToast(t);
    return t;
  }

  /* ───────── 6. Focus the first field with an error ───────── */

  function focusFirstError(root) {
    var field = (root.matches && root.matches(".has-error")) ? root : root.querySelector(".has-error");
    if (!field || field.closest("dialog")) return;
    var input = field.querySelector(
      'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled])'
    );
    field.scrollIntoView({ block: "center", behavior: "auto" });
    if (input) {
      input.setAttribute("aria-invalid", "true");
      var msg = field.querySelector(".field-error");
      if (msg) {
        if (!msg.id) msg.id = (input.id || "field") + "-error";
        if (!input.hasAttribute("aria-describedby")) input.setAttribute("aria-describedby", msg.id);
      }
      try {
        input.focus({ preventScroll: true });
      } catch (e) {
        input.focus();
      }
    }
  }

  /* ───────── 7. User menu ───────── */

  function initUserMenus(root) {
    root.querySelectorAll("details.user-menu > summary").forEach(function (s) {
      if (s.hasAttribute("data-initial")) return;
      var name = (s.textContent || "").trim();
      if (name) s.setAttribute("data-initial", Array.from(name)[0].toUpperCase());
      s.setAttribute("aria-haspopup", "menu");
    });
  }

  doc.addEventListener("click", function (e) {
    doc.querySelectorAll("details.user-menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });

  doc.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    doc.querySelectorAll("details.user-menu[open]").forEach(function (d) {
      d.removeAttribute("open");
      var s = d.querySelector("summary");
      if (s && d.contains(doc.activeElement)) s.focus();
    });
  });

  // Tabbing away from an open menu closes it too.
  doc.addEventListener("focusin", function (e) {
    doc.querySelectorAll("details.user-menu[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });

  /* ───────── Wide tables ─────────
   * The table header sticks below the top bar while the page scrolls. That
   * only works while the table card is not a scroll container, so a card gets
   * horizontal scrolling (class table-scroll) only when its table is too wide. */

  function fitTables() {
    doc.querySelectorAll(".table-card").forEach(function (card) {
      var table = card.querySelector("table");
      if (!table) return;
      var wide = table.offsetWidth > card.clientWidth + 1;
      card.classList.toggle("table-scroll", wide);
    });
  }

  var fitTimer = 0;
  window.addEventListener("resize", function () {
    clearTimeout(fitTimer);
    fitTimer = setTimeout(fitTables, 120);
  });
  doc.addEventListener("htmx:afterSettle", fitTables);

  /* ───────── start ───────── */

  function init() {
    initToasts(doc);
    initUserMenus(doc);
    initSearchHints(doc);
    fitTables();
    focusFirstError(doc);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();

/* ---- Repeatable rows (phones, household members, vehicles, accounts) ---- */
(function () {
  function clear(row) {
    row.querySelectorAll('input').forEach(function (i) { i.value = ''; });
    row.querySelectorAll('select').forEach(function (s) { s.selectedIndex = 0; });
  }
  document.addEventListener('click', function (e) {
    var add = e.target.closest('[data-add-row]');
    if (add) {
      var box = add.parentElement.querySelector('[data-rows]');
      var rows = box.querySelectorAll('[data-row]');
      var last = rows[rows.length - 1];
      var copy = last.cloneNode(true);
      clear(copy);
      last.parentElement.appendChild(copy);
      var first = copy.querySelector('input, select');
      if (first) first.focus();
      return;
    }
    var remove = e.target.closest('[data-remove-row]');
    if (remove) {
      var row = remove.closest('[data-row]');
      if (row.parentElement.querySelectorAll('[data-row]').length > 1) row.remove();
      else clear(row);
    }
  });
})();

/* ---- Search-as-you-type pickers: <input data-suggest="/api/v1/customers" list="…"> ----
   Items with a `text` (e.g. the work-order caller picker) show it as the value;
   `data-fill="room_id,customer_id,phone:contact_phone"` copies the picked item's
   keys into the form's fields of those names (key:field renames). */
(function () {
  var timer;
  function fill(input) {
    var spec = input.dataset.fill, items = input._items || [];
    if (!spec) return;
    var item = items.find(function (c) { return c.text === input.value; });
    spec.split(',').forEach(function (pair) {
      var parts = pair.split(':'), key = parts[0], name = parts[1] || parts[0];
      var field = input.form && input.form.elements[name];
      if (!field) return;
      if (item) field.value = item[key] == null ? '' : item[key];
      else if (field.type === 'hidden') field.value = '';
    });
  }
  document.addEventListener('input', function (e) {
    var input = e.target.closest && e.target.closest('input[data-suggest]');
    if (!input) return;
    fill(input);
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (!q) return;
      fetch(input.dataset.suggest + '?q=' + encodeURIComponent(q) + '&per_page=10', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          var list = document.getElementById(input.getAttribute('list'));
          if (!list) return;
          input._items = (data.items || []).concat((input._items || []).filter(function (c) { return c.text === input.value; }));
          list.replaceChildren.apply(list, (data.items || []).map(function (c) {
            var o = document.createElement('option');
            if (c.text) {
              o.value = c.text;
              o.label = c.phone || '';
            } else {
              o.value = c.code;
              o.label = c.name + ' ' + ((c.phones || [])[0] || '') + ' ' + ((c.rooms || []).map(function (r) { return r.room_code; }).join(' '));
            }
            return o;
          }));
        })
        .catch(function () {});
    }, 200);
  });
})();

/* ---- "n" opens 新建工单 from any page (UI.md), unless typing ---- */
document.addEventListener('keydown', function (e) {
  if (e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey) return;
  var t = e.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  var link = document.querySelector('a[data-new-order]');
  if (link) {
    e.preventDefault();
    window.location.href = link.getAttribute('href');
  }
});
