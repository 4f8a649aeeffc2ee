// vnsearch: results as you type. The server renders the results region (templates/_results.html);
// this script fetches that region for the typed query (the page's URL plus ?fragment=1, and
// typing=1 while the last word is unfinished, so that it matches the words it begins) and swaps
// it in, so the page shows what a reload of its URL shows, and works the same without the script.
// It also fills the autocomplete list under the search box from /api/suggest (an ARIA combobox).
"use strict";

(function () {
  const DEBOUNCE_MS = 250;
  const REGION_ID = "results-region";

  const form = document.querySelector("form[role=search]");
  const input = document.getElementById("q");
  if (!form || !input || !document.getElementById(REGION_ID) || !window.fetch || !window.AbortController) return;

  let timer = null;
  let controller = null;
  let shownQuery = input.value.trim();
  // The first swap after a page load adds a history entry; the ones after it replace that entry.
  let pushed = false;

  // The URL the form would submit for query `q`: its own fields (sort, per_page), empty ones left out.
  function pageUrl(q) {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      const v = name === "q" ? q : value;
      if (v !== "") params.set(name, v);
    }
    const query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  // The last word is unfinished unless the box ends with a space or a closing quote.
  function typingHalfway() {
    return /[^\s"]$/.test(input.value);
  }

  function fragmentUrl(url) {
    return url + (url.includes("?") ? "&" : "?") + "fragment=1" + (typingHalfway() ? "&typing=1" : "");
  }

  // Fetch the results region of `url` and put it in place of the current one; false if it was not
  // shown. A response that is not a results region (a server error page) is loaded as the page.
  async function show(url) {
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    let html;
    try {
      const response = await fetch(fragmentUrl(url), { signal, headers: { Accept: "text/html" } });
      html = await response.text();
    } catch (err) {
      return false; // aborted by newer typing, or offline: the next keystroke tries again
    }
    if (signal.aborted) return false;
    // DOMParser documents never run scripts; the server has escaped every text already.
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById(REGION_ID);
    if (!fresh) {
      window.location.assign(url);
      return false;
    }
    document.getElementById(REGION_ID).replaceWith(document.adoptNode(fresh));
    document.title = fresh.dataset.title;
    return true;
  }

  async function update() {
    const q = input.value.trim();
    if (q === shownQuery) return;
    const url = pageUrl(q);
    if (!(await show(url))) return;
    shownQuery = q;
    if (pushed) window.history.replaceState(null, "", url);
    else window.history.pushState(null, "", url);
    pushed = true;
  }

  input.addEventListener("input", function () {
    if (controller) controller.abort(); // its query is no longer the one in the box
    window.clearTimeout(timer);
    timer = window.setTimeout(update, DEBOUNCE_MS);
    suggestions.fetchFor(input.value);
  });

  const suggestions = autocomplete(form, input);

  // Back or forward to an entry of this page: show what the server renders for its URL.
  window.addEventListener("popstate", function () {
    window.clearTimeout(timer);
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    shownQuery = input.value.trim();
    pushed = false;
    suggestions.close();
    show(window.location.href);
  });

  // The autocomplete list: ArrowDown/ArrowUp move through it, Enter picks (and searches), Escape
  // closes it; the active option is announced through aria-activedescendant and a status line.
  function autocomplete(form, input) {
    const SUGGEST_MS = 120;
    const list = document.getElementById("q-suggestions");
    const status = document.getElementById("q-suggestions-status");
    const none = { fetchFor: function () {}, close: function () {} };
    if (!list || !status) return none;
    let active = -1;
    let pending = null;
    let wait = null;

    function options() {
      return Array.from(list.querySelectorAll("[role=option]"));
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open(items) {
      list.replaceChildren();
      items.forEach(function (text, i) {
        const li = document.createElement("li");
        li.id = "q-suggestion-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = text;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          pick(text);
        });
        list.appendChild(li);
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
      status.textContent = items.length ? items.length + " gợi ý; dùng phím mũi tên để chọn" : "";
    }

    function highlight(i) {
      const all = options();
      if (!all.length) return;
      active = (i + all.length) % all.length;
      all.forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", all[active].id);
    }

    function pick(text) {
      input.value = text;
      close();
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }

    async function load(text) {
      if (pending) pending.abort();
      pending = new AbortController();
      const signal = pending.signal;
      try {
        const response = await fetch("/api/suggest?q=" + encodeURIComponent(text), { signal });
        const data = await response.json();
        if (!signal.aborted && input.value === text) open(data.suggestions || []);
      } catch (err) {
        // aborted by newer typing, or offline: the list stays as it was
      }
    }

    input.addEventListener("keydown", function (event) {
      const shown = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!shown) return;
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Escape" && shown) {
        event.preventDefault();
        close();
      } else if (event.key === "Enter" && shown && active >= 0) {
        event.preventDefault();
        pick(options()[active].textContent);
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });

    return {
      fetchFor: function (text) {
        window.clearTimeout(wait);
        if (!text.trim()) {
          close();
          return;
        }
        wait = window.setTimeout(function () { load(text); }, SUGGEST_MS);
      },
      close: close,
    };
  }
})();
