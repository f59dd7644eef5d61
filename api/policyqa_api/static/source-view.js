// The original of a citation, as a delegate or a magistrate checks it: the cited page of the
// official PDF drawn by pdf.js (served by policyqa itself, never a CDN) with the quoted words
// highlighted where they stand on the page; for a text or Markdown source, the whole document
// in a clean reading view with the same highlight. The rectangles come from the service
// (GET /v1/passages/{id}/highlight, PDFium's character boxes), so what is marked is exactly
// what was quoted, whatever pdf.js makes of the text.
"use strict";

(function () {
  const PDFJS = "/static/vendor/pdfjs/";
  let library = null; // pdf.js, imported once, on the first page shown
  const documents = new Map(); // file URL -> loading task's promise, the most recently used last
  const KEEP_OPEN = 4; // a few PDFs stay open for going back and forth; older ones are destroyed

  async function pdfjs() {
    if (!library) {
      // pdf.js's own rules for its text layer, loaded with it (the page works without them).
      const rules = document.createElement("link");
      rules.rel = "stylesheet";
      rules.href = PDFJS + "web/pdf_viewer.css";
      document.head.append(rules);
      library = import(PDFJS + "build/pdf.min.mjs").then((lib) => {
        lib.GlobalWorkerOptions.workerSrc = PDFJS + "build/pdf.worker.min.mjs";
        return lib;
      });
      library.catch(() => { library = null; });
    }
    return library;
  }

  async function open(url) {
    if (documents.has(url)) {
      const loading = documents.get(url);
      documents.delete(url); // kept in order of use
      documents.set(url, loading);
    } else {
      while (documents.size >= KEEP_OPEN) {
        const [oldest, loading] = documents.entries().next().value;
        documents.delete(oldest);
        loading.then((pdf) => pdf.destroy(), () => {});
      }
      const lib = await pdfjs();
      const task = lib.getDocument({
        url,
        cMapUrl: PDFJS + "cmaps/",
        cMapPacked: true,
        standardFontDataUrl: PDFJS + "standard_fonts/",
        wasmUrl: PDFJS + "wasm/",
        isEvalSupported: false, // the page's policy forbids eval; pdf.js draws fonts without it
      });
      const loading = task.promise;
      loading.catch(() => documents.delete(url));
      documents.set(url, loading);
    }
    return documents.get(url);
  }

  function node(tag, className) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    return n;
  }

  // One page: the canvas, pdf.js's text layer (so the words can be selected and copied), and
  // the highlight rectangles above both.
  async function drawPage(lib, pdf, number, width, rects, label) {
    const page = await pdf.getPage(number);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: width / base.width });
    const ratio = window.devicePixelRatio || 1;
    const box = node("div", "pdf-page");
    box.dataset.page = String(number);
    box.style.width = viewport.width + "px";
    box.style.height = viewport.height + "px";
    box.style.setProperty("--scale-factor", String(viewport.scale));
    box.style.setProperty("--user-unit", "1");
    box.style.setProperty("--total-scale-factor", String(viewport.scale));
    const canvas = node("canvas");
    // The picture is labelled; the text layer above it stays readable by screen readers.
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = viewport.width + "px";
    canvas.style.height = viewport.height + "px";
    box.append(canvas);
    await page.render({
      canvas,
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
    }).promise;
    const text = node("div", "textLayer");
    box.append(text);
    try {
      await new lib.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport }).render();
    } catch (error) {
      text.remove(); // the picture alone still shows the quote
    }
    for (const r of rects.filter((r) => r.page === number)) {
      // Two corners through the viewport's transform (pdf.js 6 keeps only the point form).
      const [x0, y0] = viewport.convertToViewportPoint(r.x0, r.y0);
      const [x1, y1] = viewport.convertToViewportPoint(r.x1, r.y1);
      const mark = node("div", "pdf-highlight");
      mark.style.left = Math.min(x0, x1) - 1 + "px";
      mark.style.top = Math.min(y0, y1) - 1 + "px";
      mark.style.width = Math.abs(x1 - x0) + 2 + "px";
      mark.style.height = Math.abs(y1 - y0) + 2 + "px";
      box.append(mark);
    }
    return box;
  }

  // Draws the pages the quote lies on (or the passage's first page when the quote was not
  // placed) into `container`; resolves to true when the quote is highlighted.
  async function showPdf(container, { fileUrl, highlightUrl, page, t }) {
    const status = node("p", "status");
    status.setAttribute("role", "status");
    status.textContent = t("pageLoading");
    container.replaceChildren(status);
    const [lib, found] = await Promise.all([pdfjs(), fetch(highlightUrl).then((r) => (r.ok ? r.json() : null))]);
    const pdf = await open(fileUrl);
    const numbers = found && found.found && found.pages.length ? found.pages.map((p) => p.page) : [page];
    const rects = found && found.found ? found.rects : [];
    const width = Math.max(240, container.clientWidth - 2);
    const pages = [];
    for (const number of numbers) {
      pages.push(await drawPage(lib, pdf, number, width, rects, t("pageLabel", { page: number })));
    }
    status.textContent = rects.length && !found.exact ? t("pagePartial", { page: numbers[0] }) : rects.length ? (numbers.length > 1 ? t("pageQuoteAcross", { first: numbers[0], last: numbers[numbers.length - 1] })
      : t("pageQuote", { page: numbers[0] })) : t("pageNoQuote", { page: numbers[0] });
    container.replaceChildren(status, ...pages);
    const first = container.querySelector(".pdf-highlight");
    if (first) first.scrollIntoView({ block: "center" });
    return rects.length > 0;
  }

  // The whole text of a text or Markdown source, section by section, with the cited passage's
  // quote marked and scrolled to; `highlighted(text, quote)` is the page's own marking.
  async function showReading(container, { readingUrl, passageId, quote, highlighted, t }) {
    const status = node("p", "status");
    status.setAttribute("role", "status");
    status.textContent = t("pageLoading");
    container.replaceChildren(status);
    const reply = await fetch(readingUrl);
    if (!reply.ok) throw new Error(t("readingFailed"));
    const data = await reply.json();
    const article = node("article", "reading");
    article.lang = data.document.lang;
    let context = null;
    for (const section of data.sections) {
      if (section.context && section.context !== context) {
        const heading = node("h3", "reading-context");
        heading.textContent = section.context;
        article.append(heading);
        context = section.context;
      }
      const block = node("section", "reading-section");
      block.dataset.section = section.section_key;
      const head = node("p", "reading-locator");
      head.textContent = section.locator + (section.pages ? " · " + t("pages", { pages: section.pages }) : "");
      block.append(head);
      for (const passage of section.passages) {
        const text = node("p", "reading-text");
        text.dataset.passage = passage.id;
        text.append(...(passage.id === passageId ? highlighted(passage.text, quote) : [passage.text]));
        if (passage.id === passageId) block.classList.add("cited");
        block.append(text);
      }
      article.append(block);
    }
    status.textContent = t("readingNote", { title: data.document.short_title || data.document.title });
    container.replaceChildren(status, article);
    const target = article.querySelector(".cited mark") || article.querySelector(".cited");
    if (target) target.scrollIntoView({ block: "center" });
    return Boolean(article.querySelector(".cited mark"));
  }

  // Whether the server has pdf.js (asked once a page load).
  let present = null;
  function available() {
    present = present || fetch(PDFJS + "package.json", { method: "HEAD" }).then((r) => r.ok, () => false);
    return present;
  }

  window.POLICYQA_SOURCE = { showPdf, showReading, available };
})();
