// vnsearch: results as you type, from /api/search. Optional: the page works fully without it.
// It rebuilds the same markup as templates/search.html; every link is a plain link to the
// server-rendered page. Text from the API goes in with textContent; the title and snippet
// HTML is copied keeping only text and <mark> elements.
"use strict";

(function () {
  const DEBOUNCE_MS = 250;
  const MAX_RESULT_WINDOW = 10000;

  const input = document.getElementById("q");
  const region = document.getElementById("results-region");
  if (!input || !region || !window.fetch || !window.URLSearchParams) return;

  const startParams = new URLSearchParams(window.location.search);
  const fixed = {
    sort: startParams.get("sort") || "",
    per_page: startParams.get("per_page") || "",
  };
  let timer = null;
  let controller = null;
  let lastQuery = input.value.trim();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child);
    }
    return node;
  }

  // Copy server HTML that is escaped text with <mark> into `parent`, nothing else.
  function appendMarked(parent, html) {
    const doc = new DOMParser().parseFromString("<body>" + html, "text/html");
    for (const node of doc.body.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        parent.append(node.textContent);
      } else if (node.nodeName === "MARK") {
        parent.append(el("mark", null, node.textContent));
      } else {
        parent.append(node.textContent || "");
      }
    }
    return parent;
  }

  function searchUrl(params) {
    const clean = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== "" && value !== null && value !== undefined) clean.set(key, value);
    }
    const query = clean.toString();
    return "/" + (query ? "?" + query : "");
  }

  function docUrl(id, q) {
    const path = id.split("/").map(encodeURIComponent).join("/");
    return "/doc/" + path + (q ? "?q=" + encodeURIComponent(q) : "");
  }

  function vnDate(iso) {
    const [y, m, d] = iso.split("-");
    return d + "/" + m + "/" + y;
  }

  function vnNumber(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url || "") ? url : null;
  }

  // As source_label() in app.py: a relative path, else the id (no server directories).
  function sourceLabel(hit) {
    return hit.path && !hit.path.startsWith("/") ? hit.path : hit.id;
  }

  function pageWindow(page, pages, radius = 2) {
    const shown = new Set([1, pages]);
    for (let n = Math.max(1, page - radius); n <= Math.min(pages, page + radius); n++) shown.add(n);
    const out = [];
    for (const n of [...shown].sort((a, b) => a - b)) {
      if (out.length && n - out[out.length - 1] > 1) out.push(null);
      out.push(n);
    }
    return out;
  }

  function renderHit(hit, ranQuery) {
    const title = el("h2", { class: "result-title" },
      appendMarked(el("a", { href: docUrl(hit.id, ranQuery) }), hit.title));
    const meta = el("p", { class: "result-meta" });
    if (hit.date) {
      meta.append(el("time", { datetime: hit.date }, vnDate(hit.date)),
        el("span", { class: "sep", "aria-hidden": "true" }, " · "));
    }
    const url = safeUrl(hit.url);
    meta.append(url
      ? el("a", { class: "source", href: url, rel: "noopener nofollow" }, hit.url)
      : el("span", { class: "source" }, sourceLabel(hit)));
    return el("li", { class: "result" }, title, meta,
      appendMarked(el("p", { class: "snippet" }), hit.snippet));
  }

  function renderPagination(data, base) {
    const pages = Math.max(1, Math.ceil(Math.min(data.total, MAX_RESULT_WINDOW) / data.per_page));
    if (pages <= 1) return null;
    const pageParam = (n) => (n > 1 ? n : "");
    const list = el("ul");
    list.append(el("li", null, data.page > 1
      ? el("a", { class: "prev", rel: "prev", href: searchUrl({ ...base, page: pageParam(data.page - 1) }) }, "‹ Trước")
      : el("span", { class: "prev disabled", "aria-disabled": "true" }, "‹ Trước")));
    for (const n of pageWindow(data.page, pages)) {
      let item;
      if (n === null) item = el("span", { class: "gap", "aria-hidden": "true" }, "…");
      else if (n === data.page) item = el("a", { href: searchUrl({ ...base, page: pageParam(n) }), "aria-current": "page" }, String(n));
      else item = el("a", { href: searchUrl({ ...base, page: pageParam(n) }), "aria-label": "Trang " + n }, String(n));
      list.append(el("li", null, item));
    }
    list.append(el("li", null, data.page < pages
      ? el("a", { class: "next", rel: "next", href: searchUrl({ ...base, page: data.page + 1 }) }, "Sau ›")
      : el("span", { class: "next disabled", "aria-disabled": "true" }, "Sau ›")));
    return el("nav", { class: "pagination", "aria-label": "Phân trang" }, list);
  }

  function renderFacets(data, base) {
    const years = (data.facets && data.facets.year) || [];
    if (!years.length) return null;
    const list = el("ul", { class: "facet-list" },
      el("li", null, el("a", { href: searchUrl({ ...base, year: "" }), "aria-current": data.year ? null : "true" }, "Tất cả các năm")));
    for (const f of years) {
      list.append(el("li", null, el("a", {
        href: searchUrl({ ...base, year: f.year }),
        "aria-current": data.year === f.year ? "true" : null,
      }, el("span", { class: "facet-value" }, String(f.year)), " ", el("span", { class: "count" }, vnNumber(f.count)))));
    }
    return el("aside", { class: "filters", "aria-labelledby": "year-filter-title" },
      el("h2", { id: "year-filter-title" }, "Năm"), list);
  }

  function render(data) {
    const q = data.query;
    const base = { q, sort: data.sort !== "relevance" ? data.sort : "", year: data.year || "", per_page: fixed.per_page };
    const ms = Math.round(data.took_ms) + " ms";
    const summary = el("p", { class: "summary", role: "status" },
      data.total ? "Khoảng " + vnNumber(data.total) + " kết quả (" + ms + ")" : "0 kết quả (" + ms + ")");
    const sort = el("nav", { class: "sort", "aria-label": "Sắp xếp" },
      el("span", { class: "sort-label" }, "Sắp xếp:"), " ",
      el("a", { href: searchUrl({ ...base, sort: "" }), "aria-current": data.sort === "relevance" ? "true" : null }, "Liên quan"), " ",
      el("a", { href: searchUrl({ ...base, sort: "date" }), "aria-current": data.sort === "date" ? "true" : null }, "Mới nhất"));
    const parts = [
      el("h1", { class: "visually-hidden" }, "Kết quả tìm kiếm cho “" + q + "”"),
      el("div", { class: "toolbar" }, summary, sort),
    ];
    if (data.notice) parts.push(el("p", { class: "message message-info notice" }, data.notice));
    if (data.suggestion) {
      parts.push(el("p", { class: "message message-info suggestion" }, "Có phải bạn muốn tìm: ",
        el("a", { href: searchUrl({ ...base, q: data.suggestion, year: "" }) }, data.suggestion)));
    }
    const column = el("div", { class: "results-column" });
    if (data.results.length) {
      const list = el("ol", { class: "results", start: (data.page - 1) * data.per_page + 1 });
      for (const hit of data.results) list.append(renderHit(hit, data.ran_query));
      column.append(list);
    } else {
      column.append(el("div", { class: "message empty" },
        el("p", null, "Không tìm thấy tài liệu nào khớp với “", el("strong", null, q), "”."),
        el("ul", null, el("li", null, "Kiểm tra lại chính tả, hoặc gõ không dấu."),
          el("li", null, "Dùng ít từ hơn hoặc từ khóa chung hơn."))));
    }
    const pagination = renderPagination(data, base);
    if (pagination) column.append(pagination);
    parts.push(el("div", { class: "layout" }, column, renderFacets(data, base)));
    region.replaceChildren(...parts);
    document.title = q + " – vnsearch";
  }

  function renderError(message) {
    region.replaceChildren(el("div", { class: "message message-error", role: "alert" }, el("p", null, message)));
  }

  async function update() {
    const q = input.value.trim();
    if (q === lastQuery) return;
    lastQuery = q;
    if (controller) controller.abort();
    if (!q) return;
    controller = new AbortController();
    const params = { q, sort: fixed.sort, per_page: fixed.per_page };
    try {
      const response = await fetch("/api/search" + searchUrl(params).slice(1), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      const data = await response.json();
      if (input.value.trim() !== q) return; // the user typed on: a newer request follows
      if (!response.ok) {
        renderError(data.error || "Không tìm được kết quả.");
        return;
      }
      render(data);
      window.history.replaceState(null, "", searchUrl(params));
    } catch (err) {
      if (err.name !== "AbortError") lastQuery = null; // retry on the next keystroke
    }
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, DEBOUNCE_MS);
  });
})();
