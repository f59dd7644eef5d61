// The delegates' chat page: asks /v1/ask/stream, shows the answer as it arrives, turns
// citation markers into buttons that open the cited passage with the quoted span marked.
// Plain DOM code and no build step, so the page works offline from the service alone.
"use strict";

(function () {
  const I18N = window.POLICYQA_I18N;
  const $ = (id) => document.getElementById(id);
  const state = {
    ui: pickLanguage(),
    conversationId: sessionStorage.getItem("policyqa.conversation") || null,
    // The conversation's secret, given once when it starts: without it nobody reads or continues it.
    conversationToken: sessionStorage.getItem("policyqa.conversationToken") || null,
    busy: false,
    opener: null, // the marker button that opened the panel, to give focus back on close
    panel: null, // what the source panel shows, to redraw it when the interface language changes
    preview: null, // the citation preview on show: { box, marker }
    previewHovered: false,
    families: null, // family -> its names in both languages, for the filter
  };

  function pickLanguage() {
    const saved = localStorage.getItem("policyqa.ui");
    if (saved === "fr" || saved === "en") return saved;
    const wanted = (navigator.languages || [navigator.language || "fr"]).map((l) => l.slice(0, 2).toLowerCase());
    return wanted.find((l) => l === "fr" || l === "en") || "fr";
  }

  function colon() {
    return state.ui === "fr" ? " : " : ": "; // French typography puts a space before the colon
  }

  function t(key, values) {
    let text = (I18N[state.ui] && I18N[state.ui][key]) || I18N.en[key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  }

  function applyLanguage() {
    document.documentElement.lang = state.ui;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-aria]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nAria)); });
    const other = state.ui === "fr" ? "en" : "fr";
    const button = $("switch-lang");
    button.textContent = t("otherLanguage");
    button.lang = other;
    document.title = "policyqa — " + t("tagline");
    if (state.llmReason) $("mode-note").textContent = t(state.llmReason);
    if (state.panel && !$("panel").hidden) renderPassage(state.panel.detail, state.panel.citation, state.panel.isCited);
    nameFamilies();
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of [].concat(children || [])) if (child) node.append(child);
    return node;
  }

  async function getJSON(url, headers = {}) {
    const response = await fetch(url, { headers: { "Accept-Language": state.ui, ...headers } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(body.detail || response.statusText), { code: body.code || "" });
    return body;
  }

  // Only these say the conversation itself is gone or not ours; any other error (a filter,
  // the network, a busy server) leaves it, and its one-time token, in place.
  const LOST_CONVERSATION = new Set(["unknown_conversation", "conversation_token"]);

  // ----- service status and filters -----

  async function loadStatus() {
    const status = $("service-status");
    let ready = false;
    try {
      const index = await getJSON("/v1/index");
      ready = index.ready;
      status.textContent = ready ? t("ready", { passages: index.passages }) : t("notReady", { detail: index.problem });
      status.className = "status " + (ready ? "ok" : "warn");
    } catch (error) {
      status.textContent = t("networkError");
      status.className = "status warn";
    }
    state.modes = loadModes();
    // A page opened while the service loads its index fills in once it is ready.
    clearTimeout(state.statusTimer);
    if (ready) loadFilters();
    else state.statusTimer = setTimeout(loadStatus, 5000);
  }

  async function loadModes() {
    // The generative mode needs its model server: offered only while one answers, with the
    // reason in plain words when not (never a developer's error after asking).
    const option = $("mode").querySelector('option[value="llm"]');
    const note = $("mode-note");
    let llm = null;
    let careful = null;
    try {
      const modes = await getJSON("/v1/modes");
      llm = modes.modes.find((m) => m.mode === "llm");
      careful = modes.careful;
    } catch (error) {
      llm = null;
    }
    // The careful reading's judge is the same model: offered only while it answers.
    $("careful-option").hidden = !(careful && careful.available);
    if ($("careful-option").hidden) $("careful").checked = false;
    const available = Boolean(llm && llm.available);
    state.llmAvailable = available;
    option.disabled = !available;
    state.llmReason = available ? "" : ({ not_installed: "llmNotInstalled", not_ready: "llmNotReady" }[llm && llm.reason]
                                         || "llmNotRunning");
    if (!available && $("mode").value === "llm") $("mode").value = "extractive";
    note.hidden = available;
    note.textContent = available ? "" : t(state.llmReason);
  }

  // The catalogue, with what the index holds of each; empty while the service cannot say.
  async function catalogue() {
    try {
      return await getJSON("/v1/documents");
    } catch (error) {
      return [];
    }
  }

  // The family filter in the interface's language, sorted as a reader of it would look for them.
  function nameFamilies() {
    const select = $("filter-family");
    const options = [...select.querySelectorAll("option[data-family]")];
    options.forEach((o) => { o.textContent = (state.families?.get(o.value) || {})[state.ui] || o.value; });
    options.sort((a, b) => a.textContent.localeCompare(b.textContent, state.ui)).forEach((o) => select.append(o));
  }

  async function loadFilters() {
    const documents = await catalogue();
    if (!documents.length) return;
    const docSelect = $("filter-doc");
    const familySelect = $("filter-family");
    if (docSelect.options.length > 1) return;  // already filled
    const families = new Map(); // family -> its names in both languages (GET /v1/documents)
    documents.filter((d) => d.indexed_passages > 0).forEach((d) => {
      docSelect.append(el("option", { value: d.id, lang: d.lang, text: `${d.short_title} (${d.lang.toUpperCase()})` }));
      families.set(d.family, d.family_label || {});
    });
    state.families = families;
    [...families.keys()].forEach((f) => familySelect.append(el("option", { value: f, "data-family": f })));
    nameFamilies();
  }

  // ----- asking -----

  function readEvents(buffer, onEvent) {
    // Server-sent events over a POST response: EventSource only does GET, so parse here.
    let index;
    while ((index = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
    return buffer;
  }

  function newTurn(question) {
    const turn = $("turn-template").content.firstElementChild.cloneNode(true);
    turn.querySelector(".question").textContent = question;
    $("log").append(turn);
    document.body.classList.add("has-turns"); // the introduction gives its room to the conversation
    return turn;
  }

  async function restoreConversation() {
    // After a reload the conversation goes on: show what was already asked and answered.
    if (!state.conversationId) return;
    try {
      const conversation = await getJSON("/v1/conversations/" + encodeURIComponent(state.conversationId), ownerHeaders());
      conversation.turns.forEach((turn) => {
        const node = newTurn(turn.question);
        if (turn.answer.follow_up) node.querySelector(".question").append(el("span", { class: "follow-up", text: " · " + t("followUp") }));
        showAnswer(node, turn.answer);
      });
      $("export-session").disabled = false;
    } catch (error) {
      if (LOST_CONVERSATION.has(error.code)) forgetConversation();
    }
  }

  async function ask(question) {
    const turn = newTurn(question);
    const answer = turn.querySelector(".answer");
    const textBox = turn.querySelector(".answer-text");
    textBox.append(el("p", { class: "pending", text: t("answering") }));
    turn.scrollIntoView({ block: "end", behavior: "smooth" });

    const body = { question, mode: $("mode").value };
    if ($("careful").checked) body.careful = true;
    if (state.conversationId) body.conversation_id = state.conversationId;
    if ($("filter-doc").value) body.doc = [$("filter-doc").value];
    if ($("filter-family").value) body.family = [$("filter-family").value];

    let response;
    try {
      response = await fetch("/v1/ask/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": state.ui, ...ownerHeaders() },
        body: JSON.stringify(body),
      });
    } catch (error) {
      return fail(turn, t("networkError"));
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      if (LOST_CONVERSATION.has(problem.code) && state.conversationId) {
        // The server no longer knows this conversation (or its token): start a fresh one and ask again.
        forgetConversation();
        turn.remove();
        return ask(question);
      }
      return fail(turn, problem.detail || response.statusText);
    }

    let streamed = "";
    let final = null;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    const onEvent = (name, data) => {
      if (name === "start") {
        rememberConversation(data.conversation_id, data.conversation_token);
        answer.lang = data.lang;
        if (data.follow_up) turn.querySelector(".question").append(el("span", { class: "follow-up", text: " · " + t("followUp") }));
      } else if (name === "delta") {
        streamed += data.text;
        textBox.replaceChildren(...paragraphs(streamed, null));
      } else if (name === "done") {
        final = data;
      } else if (name === "error") {
        fail(turn, data.detail);
      }
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = readEvents(buffer + decoder.decode(value, { stream: true }), onEvent);
      }
    } catch (error) {
      return fail(turn, t("networkError"));
    }
    if (final) showAnswer(turn, final, true);
  }

  function fail(turn, message) {
    const answer = turn.querySelector(".answer");
    answer.classList.add("failed");
    answer.setAttribute("aria-busy", "false");
    turn.querySelector(".answer-text").replaceChildren(el("p", { class: "error", role: "alert", text: message }));
  }

  function paragraphs(text, citations) {
    // Markers become buttons only once the citations are known and checked.
    const byMarker = new Map((citations || []).map((c) => [c.marker, c]));
    return text.split(/\n{2,}/).filter((p) => p.trim()).map((block) => {
      const p = el("p");
      block.split("\n").forEach((line, i) => {
        if (i) p.append(el("br"));
        let last = 0;
        for (const match of line.matchAll(/\[\d{1,2}\]/g)) {
          p.append(line.slice(last, match.index));
          const citation = byMarker.get(match[0]);
          p.append(citation ? markerButton(citation) : match[0]);
          last = match.index + match[0].length;
        }
        p.append(line.slice(last));
      });
      return p;
    });
  }

  // Where a pointer can hover, a marker previews its source on hover or focus and opens it on
  // click; on a touch screen the first tap previews and the preview's button (or a second tap)
  // opens it, so that a reader can check a citation without leaving the answer.
  const canHover = window.matchMedia("(hover: hover) and (pointer: fine)");

  function markerButton(citation) {
    const button = el("button", {
      type: "button", class: "marker", text: citation.marker,
      "aria-label": t("openCitation", { marker: citation.marker, title: citation.title, locator: citation.label || citation.locator }),
      "aria-expanded": "false",
      "data-passage": citation.passage_id,
      onclick: (event) => {
        const target = event.currentTarget;
        if (!canHover.matches && state.preview?.marker !== target) {
          showPreview(citation, target);
          return;
        }
        hidePreview();
        openPassage(citation, target);
      },
    });
    let timer = null;
    const later = (action) => { clearTimeout(timer); timer = setTimeout(action, 150); };
    button.addEventListener("mouseenter", () => { if (canHover.matches) later(() => showPreview(citation, button)); });
    button.addEventListener("mouseleave", () => { if (canHover.matches) later(() => { if (!state.previewHovered) hidePreview(); }); });
    button.addEventListener("focus", () => { if (canHover.matches) showPreview(citation, button); });
    button.addEventListener("blur", () => later(() => { if (!state.previewHovered && !state.preview?.box.contains(document.activeElement)) hidePreview(); }));
    return button;
  }

  function showPreview(citation, marker) {
    hidePreview();
    const pages = citation.pages ? " · " + t("pages", { pages: citation.pages }) : "";
    const quote = citation.quote.length > 320 ? citation.quote.slice(0, 320).replace(/\s+\S*$/, "") + " …" : citation.quote;
    const id = "citation-preview";
    const box = el("div", { class: "preview", id, role: "tooltip" }, [
      el("p", { class: "preview-title" }, [el("strong", { text: citation.document_name || citation.title }),
        (citation.symbol && !(citation.document_name || citation.title).includes(citation.symbol) ? ` (${citation.symbol})` : "")
        + " — " + (citation.label || citation.locator) + pages]),
      el("blockquote", { class: "preview-quote", lang: citation.lang, text: quote }),
      el("button", { type: "button", class: "secondary preview-open", text: t("previewOpen"),
                     onclick: () => { hidePreview(); openPassage(citation, marker); } }),
    ]);
    box.addEventListener("mouseenter", () => { state.previewHovered = true; });
    box.addEventListener("mouseleave", () => { state.previewHovered = false; if (canHover.matches) hidePreview(); });
    document.body.append(box);
    // Below the marker, kept inside the window; above it when there is no room below.
    const at = marker.getBoundingClientRect();
    const width = Math.min(box.offsetWidth, window.innerWidth - 16);
    const left = Math.max(8, Math.min(at.left, window.innerWidth - width - 8));
    const below = at.bottom + 6;
    const top = below + box.offsetHeight > window.innerHeight && at.top - box.offsetHeight - 6 > 0 ? at.top - box.offsetHeight - 6 : below;
    box.style.left = left + window.scrollX + "px";
    box.style.top = top + window.scrollY + "px";
    marker.setAttribute("aria-expanded", "true");
    marker.setAttribute("aria-describedby", id);
    state.preview = { box, marker };
  }

  function hidePreview() {
    if (!state.preview) return;
    state.preview.marker.setAttribute("aria-expanded", "false");
    state.preview.marker.removeAttribute("aria-describedby");
    state.preview.box.remove();
    state.preview = null;
    state.previewHovered = false;
  }

  function citationLine(citation, withMarker) {
    const pages = citation.pages ? ", " + t("pages", { pages: citation.pages }) : "";
    // The document as the answer's reader names it (« Pacte mondial »), when the service says.
    const title = citation.document_name || citation.title;
    const symbol = citation.symbol && !title.includes(citation.symbol) ? ` (${citation.symbol})` : "";
    return `${withMarker ? citation.marker + " " : ""}${title}${symbol}, ${citation.label || citation.locator}${pages}`;
  }

  function showAnswer(turn, answer, live) {
    const box = turn.querySelector(".answer");
    box.setAttribute("aria-busy", "false");
    box.lang = answer.lang;
    box.classList.toggle("not-covered", !answer.answered);
    const textBox = turn.querySelector(".answer-text");
    const list = turn.querySelector(".citations");
    if (answer.answered) {
      textBox.replaceChildren(...paragraphs(answer.text, answer.citations));
      if (answer.unsupported && answer.unsupported.length) {
        textBox.append(el("ul", { class: "unsupported" }, answer.unsupported.map((s) =>
          el("li", {}, [el("strong", { text: t("unsupported") + colon() }), s]))));
      }
      list.setAttribute("aria-label", t("sources"));
      answer.citations.forEach((c) => {
        const item = el("li", {}, [
          el("button", { type: "button", class: "link", "data-passage": c.passage_id, text: citationLine(c, true),
                         onclick: (event) => openPassage(c, event.currentTarget) }),
        ]);
        list.append(item);
        offerRendering(item, c, answer, live);
      });
      turn.querySelectorAll(".nearby, .nearby-title").forEach((node) => node.remove());
      if (answer.see_also.length) {
        const nearby = el("ul", { class: "nearby", "aria-label": t("nearby") }, answer.see_also.map((c) => el("li", {}, [
          el("button", { type: "button", class: "link", "data-passage": c.passage_id, text: citationLine(c, false),
                         onclick: (event) => openPassage(c, event.currentTarget) }),
        ])));
        list.after(el("p", { class: "nearby-title", text: t("nearby") }), nearby);
      }
    } else {
      const [first] = answer.text.split("\n");
      textBox.replaceChildren(el("p", { class: "not-covered-title" }, [el("strong", { text: t("notCovered") })]),
                              el("p", { text: first }));
      if (answer.see_also.length) {
        textBox.append(el("p", { class: "see-also-title", text: t("seeAlso") }));
        list.setAttribute("aria-label", t("seeAlso"));
        answer.see_also.forEach((c) => list.append(el("li", {}, [
          el("button", { type: "button", class: "link", "data-passage": c.passage_id, text: citationLine(c, false),
                         onclick: (event) => openPassage(c, event.currentTarget) }),
        ])));
      }
    }
    const actions = turn.querySelector(".answer-actions");
    actions.hidden = false;
    actions.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
    actions.querySelector(".copy").addEventListener("click", () => copyAnswer(turn, answer));
    actions.querySelectorAll(".rate").forEach((button) =>
      button.addEventListener("click", () => rate(turn, answer, Number(button.dataset.rating), button)));
  }

  // A quote held only in the other language stays the authority; where the generative model
  // runs, an unofficial rendering can follow it, labelled as such (POST /v1/render/stream).
  // In the generative mode it comes by itself as the answer arrives; otherwise, and in a
  // conversation read back, on request.
  async function offerRendering(item, citation, answer, live) {
    if (citation.lang === answer.lang || citation.other_version_id) return;
    await state.modes; // an answer can arrive before the page has heard which modes run
    if (!state.llmAvailable) return;
    const box = el("div", { class: "rendering", lang: answer.lang, "aria-live": "polite" });
    const button = el("button", { type: "button", class: "secondary render", text: t("renderButton", { marker: citation.marker }),
                                  onclick: () => streamRendering(box, button, citation, answer.lang) });
    item.append(button, box);
    // One at a time: they share one local model server and the client's request budget.
    if (live && answer.mode === "llm") state.renderings = (state.renderings || Promise.resolve())
      .then(() => streamRendering(box, button, citation, answer.lang)).catch(() => {});
  }

  async function streamRendering(box, button, citation, lang) {
    button.remove();
    const label = el("p", { class: "rendering-label" }, [el("strong", { text: t("renderLabel") })]);
    const text = el("p", { class: "rendering-text" });
    box.replaceChildren(label, text);
    let response;
    try {
      response = await fetch("/v1/render/stream", {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ passage_id: citation.passage_id, quote: citation.quote, lang }),
      });
    } catch (error) {
      text.replaceWith(el("p", { class: "error", text: t("renderFailed") }));
      return;
    }
    if (!response.ok) {
      let detail = "";
      try { detail = (await response.json()).detail || ""; } catch (error) { detail = ""; }
      text.replaceWith(el("p", { class: "error", text: detail || t("renderFailed") }));
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      buffer = readEvents(buffer, (name, data) => {
        if (name === "start") label.replaceChildren(el("strong", { text: data.note }));
        else if (name === "delta") text.textContent += data.text;
        else if (name === "done") text.textContent = data.text;
        else if (name === "error") text.replaceWith(el("p", { class: "error", text: data.detail }));
      });
    }
  }

  async function copyAnswer(turn, answer) {
    const status = turn.querySelector(".action-status");
    const references = answer.citations.map((c) => `${citationLine(c, true)}${c.quote ? ` — « ${c.quote} »` : ""}`);
    const text = [turn.querySelector(".question").firstChild.textContent, "", answer.text]
      .concat(references.length ? ["", t("sources") + colon().trimEnd()].concat(references) : []).join("\n");
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t("copied");
    } catch (error) {
      status.textContent = t("copyFailed");
    }
    turn.dataset.copied = text;
  }

  async function rate(turn, answer, rating, button) {
    const status = turn.querySelector(".action-status");
    try {
      const response = await fetch("/v1/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": state.ui, ...ownerHeaders() },
        body: JSON.stringify({ answer_id: answer.answer_id, rating }),
      });
      if (!response.ok) throw new Error(response.statusText);
      turn.querySelectorAll(".rate").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      status.textContent = t("thanks");
    } catch (error) {
      status.textContent = t("feedbackFailed");
    }
  }

  function rememberConversation(id, token) {
    state.conversationId = id;
    sessionStorage.setItem("policyqa.conversation", id);
    if (token) {  // sent once, when the conversation starts
      state.conversationToken = token;
      sessionStorage.setItem("policyqa.conversationToken", token);
    }
    $("export-session").disabled = false;
  }

  function forgetConversation() {
    state.conversationId = null;
    state.conversationToken = null;
    sessionStorage.removeItem("policyqa.conversation");
    sessionStorage.removeItem("policyqa.conversationToken");
    $("export-session").disabled = true;
  }

  function ownerHeaders() {
    return state.conversationId && state.conversationToken ? { "X-Conversation-Token": state.conversationToken } : {};
  }

  // ----- the source panel -----

  function quoteRanges(text, quote) {
    // The quote is the passage's own words with whitespace normalised and "…" where the
    // answer skipped sub-items: find each piece with flexible whitespace.
    const ranges = [];
    let from = 0;
    for (const piece of (quote || "").split("…").map((s) => s.trim()).filter((s) => s.length > 2)) {
      const pattern = piece.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+");
      const re = new RegExp(pattern, "g");
      re.lastIndex = from;
      const match = re.exec(text);
      if (match) {
        ranges.push([match.index, match.index + match[0].length]);
        from = match.index + match[0].length;
      }
    }
    return ranges;
  }

  function highlighted(text, quote) {
    const nodes = [];
    let last = 0;
    for (const [start, end] of quoteRanges(text, quote)) {
      nodes.push(text.slice(last, start), el("mark", { text: text.slice(start, end) }));
      last = end;
    }
    nodes.push(text.slice(last));
    return nodes;
  }

  async function openPassage(citation, opener) {
    state.opener = opener || state.opener;
    const panel = $("panel");
    const body = $("panel-body");
    panel.hidden = false;
    document.body.classList.add("panel-open");
    body.replaceChildren(el("p", { text: t("loading") }));
    panel.focus();
    let detail;
    try {
      detail = await getJSON("/v1/passages/" + encodeURIComponent(citation.passage_id));
    } catch (error) {
      body.replaceChildren(el("p", { class: "error", role: "alert", text: error.message }));
      return;
    }
    renderPassage(detail, citation, true);
  }

  // The views of a source: the PDF page (or, for a text source, the whole document) and the
  // extracted passage. The page is the default where there is one: it is what readers check.
  function sourceViews(doc, p, quote) {
    const source = window.POLICYQA_SOURCE;
    const pdf = doc.format === "pdf" && p.page_start && doc.file_url;
    const whole = !pdf && doc.indexed_passages > 0;
    if (!source || (!pdf && !whole)) return null;
    const views = pdf ? [["page", t("viewPage")], ["text", t("viewText")]] : [["text", t("viewPassage")], ["reading", t("viewReading")]];
    const tabs = el("div", { class: "view-tabs", role: "tablist", "aria-label": t("viewsLabel") });
    const pane = el("div", { class: "source-view", role: "tabpanel", tabindex: "-1" });
    const show = async (name) => {
      tabs.querySelectorAll("[role=tab]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === name)));
      $("panel").classList.toggle("wide", name === "page");
      $("panel-body").querySelectorAll(".extracted").forEach((n) => { n.hidden = name !== "text"; });
      pane.hidden = name === "text";
      if (name === "text") return;
      try {
        if (name === "page" && !(await source.available())) {
          // pdf.js is not installed on this server (set-up not run): the extracted text it is.
          tabs.querySelector('[data-view="page"]').hidden = true;
          show("text");
          return;
        }
        if (name === "page") {
          await source.showPdf(pane, {
            fileUrl: doc.file_url, page: p.page_start, t,
            highlightUrl: "/v1/passages/" + encodeURIComponent(p.id) + "/highlight?quote=" + encodeURIComponent(quote || ""),
          });
        } else {
          await source.showReading(pane, { readingUrl: "/v1/documents/" + encodeURIComponent(doc.id) + "/reading?lang=" + state.ui,
                                           passageId: p.id, quote, highlighted, t });
        }
      } catch (error) {
        console.warn("policyqa: the source view failed", error);
        pane.replaceChildren(el("p", { class: "error", role: "alert", text: name === "page" ? t("pageFailed") : t("readingFailed") }));
      }
    };
    views.forEach(([name, label]) => tabs.append(el("button", {
      type: "button", role: "tab", class: "view-tab", "data-view": name, text: label, "aria-selected": "false",
      onclick: () => show(name),
    })));
    return { tabs, pane, show, first: views[0][0] };
  }

  function renderPassage(detail, citation, isCited) {
    state.panel = { detail, citation, isCited };
    const body = $("panel-body");
    const p = detail.passage;
    const doc = detail.document || {};
    const title = doc.title || p.doc_id;
    $("panel-title").textContent = doc.short_title || t("source");
    const pages = p.page_start ? (p.page_end && p.page_end !== p.page_start ? `${p.page_start}–${p.page_end}` : String(p.page_start)) : "";
    const label = isCited && citation.label ? citation.label : p.locator;
    const nodes = [
      el("p", { class: "doc-title", lang: doc.lang, text: title + (doc.symbol && !title.includes(doc.symbol) ? ` (${doc.symbol})` : "") }),
      el("p", { class: "locator" }, [el("strong", { text: label }), pages ? " · " + t("pages", { pages }) : ""]),
    ];
    if (p.context) nodes.push(el("p", { class: "context", lang: p.lang, text: t("context") + colon() + p.context }));
    const quote = isCited ? citation.quote : "";
    const views = sourceViews(doc, p, quote);
    if (views) nodes.push(views.tabs, views.pane);
    const text = el("blockquote", { class: "passage-text extracted", lang: p.lang }, highlighted(p.text, quote));
    nodes.push(text);
    if (quote && text.querySelector("mark")) nodes.push(el("p", { class: "hint extracted", text: t("quotedSpan") }));
    if (p.notes && p.notes.length) {
      nodes.push(el("details", { class: "notes" }, [el("summary", { text: t("notes") }),
        el("ol", { lang: p.lang }, p.notes.map((n) => el("li", { text: n })))]));
    }
    const links = el("p", { class: "panel-links" });
    if (doc.file_url) {
      // Only a PDF viewer can open at a page; other files open whole.
      const page = doc.format === "pdf" ? p.page_start : null;
      links.append(el("a", { href: doc.file_url + (page ? "#page=" + page : ""), target: "_blank", rel: "noopener",
                             class: "open-original", text: page ? t("openOriginal", { page }) : t("openOriginalNoPage") }));
    }
    const official = (doc.official_urls && doc.official_urls[state.ui]) || doc.source_url;
    if (official) {
      links.append(el("a", { href: official, target: "_blank", rel: "noopener noreferrer", class: "official",
                             text: t("officialVersion") }));
    }
    nodes.push(links);
    const other = detail.other_versions && detail.other_versions[0];
    if (other && isCited) {
      nodes.push(el("button", { type: "button", class: "secondary other-version", lang: state.ui,
        text: t("otherVersion_" + other.lang),
        onclick: async () => renderPassage(await getJSON("/v1/passages/" + encodeURIComponent(other.id)), citation, false) }));
    } else if (!isCited) {
      nodes.push(el("button", { type: "button", class: "secondary other-version",
        text: t("thisVersion"), onclick: () => openPassage(citation) }));
    }
    body.replaceChildren(...nodes);
    if (views) views.show(views.first);
    const mark = body.querySelector(".passage-text mark");
    if (mark && !mark.closest("[hidden]")) mark.scrollIntoView({ block: "nearest" });
  }

  function closePanel() {
    $("panel").hidden = true;
    $("panel").classList.remove("wide");
    document.body.classList.remove("panel-open");
    if (state.opener && document.contains(state.opener)) state.opener.focus();
  }

  // ----- training: packs, practice quizzes, session records -----

  async function download(url, options, fallbackName) {
    const response = await fetch(url, options);
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(problem.detail || response.statusText);
    }
    const blob = await response.blob();
    const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "");
    const name = named ? named[1] : fallbackName;
    const link = el("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 30000);
    return name;
  }

  function postJSON(url, body) {
    return { method: "POST", headers: { "Content-Type": "application/json", "Accept-Language": state.ui },
             body: JSON.stringify(body) };
  }

  function fillTopics() {
    $("topics").replaceChildren(...t("topics").map((topic) => el("option", { value: topic })));
  }

  async function makeHandout(form, status, request, fallbackName) {
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    status.textContent = t("preparing");
    try {
      status.textContent = t("downloaded", { name: await download(request.url, request.options, fallbackName) });
    } catch (error) {
      status.textContent = error.message;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function topicOf(input, status) {
    const topic = input.value.trim();
    if (!topic) {
      status.textContent = t("emptyTopic");
      input.focus();
    }
    return topic;
  }

  async function startQuiz(topic) {
    const status = $("quiz-status");
    const box = $("quiz");
    status.textContent = t("preparing");
    let quiz;
    try {
      const response = await fetch("/v1/training/quiz", postJSON("/v1/training/quiz",
        { topic, lang: state.ui, count: Number($("quiz-count").value), seed: Math.floor(Math.random() * 100000) }));
      quiz = await response.json();
      if (!response.ok) throw new Error(quiz.detail || response.statusText);
    } catch (error) {
      status.textContent = error.message;
      return;
    }
    status.textContent = "";
    box.hidden = false;
    if (!quiz.covered || !quiz.items.length) {
      box.replaceChildren(el("p", { class: "not-covered-title", text: t("quizNotCovered") }));
      return;
    }
    state.quiz = { items: quiz.items, n: 0, score: 0 };
    showQuizItem();
  }

  function showQuizItem() {
    const quiz = state.quiz;
    const item = quiz.items[quiz.n];
    const box = $("quiz");
    const letters = "ABCDEFGH";
    const choices = el("ol", { class: "choices", type: "A" });
    const feedback = el("div", { class: "quiz-feedback", role: "status" });
    item.choices.forEach((choice, i) => {
      choices.append(el("li", {}, [el("button", {
        type: "button", class: "secondary choice", "data-index": String(i), text: choice,
        onclick: () => answerQuizItem(item, i, choices, feedback, letters),
      })]));
    });
    box.replaceChildren(
      el("p", { class: "quiz-progress", text: t("quizProgress", { n: quiz.n + 1, total: quiz.items.length }) + " · " +
                t("quizScore", { score: quiz.score, total: quiz.items.length }) }),
      el("h3", { class: "quiz-question", text: item.question, tabindex: "-1" }),
      item.quote ? el("blockquote", { class: "passage-text", lang: item.quote_lang, text: item.quote }) : null,
      choices, feedback);
    box.querySelector(".quiz-question").focus();
  }

  function answerQuizItem(item, chosen, choices, feedback, letters) {
    const quiz = state.quiz;
    const right = chosen === item.answer_index;
    if (right) quiz.score += 1;
    choices.querySelectorAll("button.choice").forEach((b, i) => {
      b.disabled = true;
      if (i === item.answer_index) b.classList.add("correct");
      else if (i === chosen) b.classList.add("wrong");
      if (i === chosen) b.setAttribute("aria-pressed", "true");
    });
    const c = item.citation;
    const source = `${c.title}${c.symbol ? " (" + c.symbol + ")" : ""}, ${c.locator}${c.pages ? ", " + t("pages", { pages: c.pages }) : ""}`;
    const last = quiz.n + 1 >= quiz.items.length;
    feedback.replaceChildren(
      el("p", { class: right ? "correct-text" : "wrong-text",
                text: right ? t("correct") : t("wrong", { answer: `${letters[item.answer_index]}. ${item.choices[item.answer_index]}` }) }),
      el("p", {}, [el("button", { type: "button", class: "link quiz-source", text: t("quizSource", { source }),
                                  onclick: (event) => openPassage({ ...c, marker: "", other_version_id: "" }, event.currentTarget) })]),
      el("button", { type: "button", class: "next", text: last ? t("finishQuiz") : t("nextQuestion"),
                     onclick: () => { quiz.n += 1; last ? showQuizScore() : showQuizItem(); } }));
    feedback.querySelector("button.next").focus();
  }

  function showQuizScore() {
    const quiz = state.quiz;
    $("quiz").replaceChildren(
      el("p", { class: "quiz-final", role: "status", text: t("quizDone", { score: quiz.score, total: quiz.items.length }) }),
      el("button", { type: "button", class: "secondary", text: t("restartQuiz"), onclick: () => startQuiz($("quiz-topic").value.trim()) }));
  }

  // ----- comparing two versions of a resolution (GET /v1/compare) -----
  function initCompare() {
    $("compare-form").addEventListener("submit", (event) => {
      event.preventDefault();
      showComparison($("compare-old").value, $("compare-new").value);
    });
  }

  // Filled when the training section opens: the index may still be loading at page load.
  async function fillCompare() {
    if ($("compare-old").options.length) return;
    const held = (await catalogue()).filter((d) => d.series && d.indexed_passages > 0);
    const versions = held.filter((d) => held.filter((o) => o.series === d.series).length > 1)
      .sort((a, b) => a.series.localeCompare(b.series) || a.adopted.localeCompare(b.adopted));
    if (!versions.length) {
      $("compare-status").textContent = t("compareNone");
      $("compare-form").querySelector("button").disabled = true;
      return;
    }
    const label = (d) => `${d.symbol || d.short_title} (${d.adopted.slice(0, 4)}) — ${d.title}`;
    for (const [select, pick] of [[$("compare-old"), 0], [$("compare-new"), 1]]) {
      select.replaceChildren(...versions.map((d) => el("option", { value: d.id, text: label(d) })));
      select.value = versions[pick].id;  // the first series' first two versions
    }
    $("compare-status").textContent = "";
    $("compare-form").querySelector("button").disabled = false;
  }

  function diffNodes(pieces) {
    return pieces.map((piece) => piece.op === "insert" ? el("ins", { text: piece.text })
      : piece.op === "delete" ? el("del", { text: piece.text }) : document.createTextNode(piece.text));
  }

  function where(provision, doc) {
    const pages = provision.page_start === provision.page_end ? `p. ${provision.page_start}` : `pp. ${provision.page_start}–${provision.page_end}`;
    return `${doc.symbol}, ${provision.locator}, ${pages}`;
  }

  async function showComparison(oldId, newId) {
    const status = $("compare-status");
    const box = $("comparison");
    status.textContent = t("preparing");
    let result;
    try {
      result = await getJSON(`/v1/compare?old=${encodeURIComponent(oldId)}&new=${encodeURIComponent(newId)}`);
    } catch (error) {
      status.textContent = error.message;
      box.hidden = true;
      return;
    }
    status.textContent = "";
    const c = result.counts;
    const items = result.pairs.map((pair) => {
      const kind = pair.status === "added" ? "compareAdded" : pair.status === "dropped" ? "compareDropped"
        : pair.status === "amended" ? "compareAmended" : "compareMoved";
      const head = pair.status === "added" ? where(pair.new, result.new)
        : pair.status === "dropped" ? where(pair.old, result.old) : `${where(pair.old, result.old)} → ${where(pair.new, result.new)}`;
      const body = pair.status === "amended" ? el("p", { class: "diff" }, diffNodes(pair.diff))
        : el("p", { class: pair.status === "dropped" ? "dropped" : "" , text: (pair.new || pair.old).text });
      const moved = pair.moved && pair.status !== "unchanged" ? ` · ${t("compareMoved")}` : "";
      return el("li", { class: `change ${pair.status}` }, [el("p", { class: "change-head" }, [el("strong", { text: t(kind) + moved }), ` — ${head}`]), body]);
    });
    box.replaceChildren(
      el("p", { class: "compare-summary", text: t("compareSummary", { old: result.old.symbol, oldYear: result.old.adopted.slice(0, 4),
        new: result.new.symbol, newYear: result.new.adopted.slice(0, 4), ...c }) }),
      el("ol", { class: "changes" }, items));
    box.hidden = false;
  }

  function initTraining() {
    fillTopics();
    $("toggle-training").addEventListener("click", () => {
      const section = $("training");
      section.hidden = !section.hidden;
      $("toggle-training").setAttribute("aria-expanded", String(!section.hidden));
      if (!section.hidden) {
        $("pack-topic").focus();
        fillCompare();
      }
    });
    $("pack-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = $("pack-status");
      const topic = topicOf($("pack-topic"), status);
      if (!topic) return;
      const format = (event.submitter && event.submitter.dataset.format) || "pdf";
      // A topic the texts do not treat is said here, in plain words: no empty handout to download.
      status.textContent = t("preparing");
      try {
        const response = await fetch("/v1/training/pack", postJSON("/v1/training/pack", { topic, lang: state.ui, format: "json" }));
        const pack = await response.json();
        if (!response.ok) throw new Error(pack.detail || response.statusText);
        if (!pack.covered) {
          status.textContent = t("packNotCovered", { topic });
          return;
        }
      } catch (error) {
        status.textContent = error.message;
        return;
      }
      makeHandout($("pack-form"), status,
        { url: "/v1/training/pack", options: postJSON("/v1/training/pack", { topic, lang: state.ui, format }) },
        `policyqa-pack.${format === "pdf" ? "pdf" : "md"}`);
    });
    initCompare();
    $("quiz-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const topic = topicOf($("quiz-topic"), $("quiz-status"));
      if (topic) startQuiz(topic);
    });
    $("quiz-print").addEventListener("click", () => {
      const topic = topicOf($("quiz-topic"), $("quiz-status"));
      if (!topic) return;
      makeHandout($("quiz-form"), $("quiz-status"),
        { url: "/v1/training/quiz", options: postJSON("/v1/training/quiz",
          { topic, lang: state.ui, count: Number($("quiz-count").value), answers: false, format: "pdf" }) },
        "policyqa-quiz.pdf");
    });
    $("export-session").addEventListener("click", async () => {
      if (!state.conversationId) return;
      const status = $("service-status");
      status.textContent = t("preparing");
      try {
        const name = await download(`/v1/training/transcript/${encodeURIComponent(state.conversationId)}?format=pdf&lang=${state.ui}`,
                                    { headers: { "Accept-Language": state.ui, ...ownerHeaders() } }, "policyqa-session.pdf");
        status.textContent = t("downloaded", { name });
      } catch (error) {
        status.textContent = error.message;
      }
    });
  }

  // ----- wiring -----

  function init() {
    applyLanguage();
    initTraining();
    restoreConversation();
    loadStatus();
    $("switch-lang").addEventListener("click", () => {
      state.ui = state.ui === "fr" ? "en" : "fr";
      localStorage.setItem("policyqa.ui", state.ui);
      applyLanguage();
      fillTopics();
      loadStatus();
    });
    $("new-conversation").addEventListener("click", () => {
      forgetConversation();
      $("log").replaceChildren();
      document.body.classList.remove("has-turns");
      closePanel();
      $("service-status").textContent = t("conversationCleared");
      $("question").focus();
    });
    $("panel-close").addEventListener("click", closePanel);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      if (state.preview) hidePreview();
      else if (!$("panel").hidden) closePanel();
    });
    // A tap elsewhere closes a preview on a touch screen.
    document.addEventListener("click", (event) => {
      if (state.preview && !state.preview.box.contains(event.target) && event.target !== state.preview.marker) hidePreview();
    });
    const question = $("question");
    question.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("ask-form").requestSubmit();
      }
    });
    $("ask-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = question.value.trim();
      $("form-error").textContent = "";
      if (!text) {
        $("form-error").textContent = t("emptyQuestion");
        return;
      }
      if (state.busy) return;
      state.busy = true;
      $("ask-button").disabled = true;
      question.value = "";
      try {
        await ask(text);
      } finally {
        state.busy = false;
        $("ask-button").disabled = false;
        question.focus();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
