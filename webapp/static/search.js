// vnsearch: results as you type. The server renders the results region (templates/_results.html);
// this script fetches that region for the typed query (the page's URL plus ?fragment=1) and swaps
// it in, so the page shows what a reload of its URL shows, and works the same without the script.
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

  function fragmentUrl(url) {
    return url + (url.includes("?") ? "&" : "?") + "fragment=1";
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
  });

  // Back or forward to an entry of this page: show what the server renders for its URL.
  window.addEventListener("popstate", function () {
    window.clearTimeout(timer);
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    shownQuery = input.value.trim();
    pushed = false;
    show(window.location.href);
  });
})();
