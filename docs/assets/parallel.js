/* Side-by-side view (generator/render/sidebyside.py). The page holds its article's text once, in
   its body; the view holds where each paragraph splits into sentences (data-units) and the twin
   page's address (data-twin). Opened, it takes this page's paragraphs from the body and the other
   language's from the twin page (one request to the same site), cuts both into sentences and lays
   them out in rows. Hovering or focusing a sentence highlights it and its counterpart in the other
   language (both get .is-linked); the listeners sit on `document`, so pages swapped in by
   Material's instant navigation work without re-initialisation. No dependencies. */
(function () {
  "use strict";

  var LINKED = "is-linked";
  var hovered = null; // the sentence under the mouse pointer
  var focused = null; // the sentence with keyboard focus

  function paragraphs(doc) {
    var body = doc.querySelector(".archive-body");
    if (!body) return [];
    var out = [];
    for (var i = 0; i < body.children.length; i++) {
      var el = body.children[i];
      if (el.tagName === "P") out.push(el.textContent.replace(/\s+/g, " ").trim());
    }
    return out;
  }

  function byParagraph(entries, texts) {
    // {paragraph index: [sentence text | null, ...]}, cutting each <p> text at its sentence ends
    var out = {};
    for (var k = 0; k < entries.length && k < texts.length; k++) {
      var text = texts[k], ends = entries[k][1], start = 0, parts = [];
      for (var j = 0; j < ends.length; j++) {
        if (ends[j] === null) { parts.push(null); continue; }
        parts.push(text.slice(start, ends[j]).trim());
        start = ends[j];
      }
      out[entries[k][0]] = parts;
    }
    return out;
  }

  function cell(lang, sentences, p, missing) {
    var div = document.createElement("div");
    div.className = "parallel-" + lang;
    div.lang = lang;
    div.dir = lang === "ar" ? "rtl" : "ltr";
    if (!sentences) {
      if (missing) {
        var note = document.createElement("span");
        note.className = missing.className;
        note.textContent = missing.text;
        div.appendChild(note);
      }
      return div;
    }
    for (var s = 0; s < sentences.length; s++) {
      if (s) div.appendChild(document.createTextNode(" "));
      var span = document.createElement("span");
      span.className = "pair" + (sentences[s] === null ? " is-missing" : "");
      span.setAttribute("data-pair", "p" + (p + 1) + "s" + (s + 1));
      span.tabIndex = 0;
      span.textContent = sentences[s] === null ? "[not translated]" : sentences[s];
      div.appendChild(span);
    }
    return div;
  }

  function head(status) {
    var row = document.createElement("div");
    row.className = "parallel-head";
    var ar = cell("ar", null, 0, null), en = cell("en", null, 0, null);
    ar.textContent = "العربية (النص الأصلي)";
    en.textContent = "English (" + status + ")";
    row.appendChild(ar);
    row.appendChild(en);
    return row;
  }

  function lay(details, ownTexts, twinTexts) {
    var units = JSON.parse(details.getAttribute("data-units"));
    var lang = details.getAttribute("data-lang");
    var texts = lang === "ar" ? {ar: ownTexts, en: twinTexts} : {ar: twinTexts, en: ownTexts};
    var ar = byParagraph(units.ar, texts.ar), en = byParagraph(units.en, texts.en);
    var pending = details.getAttribute("data-status") === "translation pending";
    var grid = details.querySelector(".parallel-grid");
    grid.textContent = "";
    grid.appendChild(head(details.getAttribute("data-status")));
    var last = -1;
    for (var k = 0; k < units.ar.length; k++) last = Math.max(last, units.ar[k][0]);
    for (k = 0; k < units.en.length; k++) last = Math.max(last, units.en[k][0]);
    for (var p = 0; p <= last; p++) {
      if (!(p in ar) && !(p in en)) continue;
      var row = document.createElement("div");
      row.className = "parallel-row";
      if (p in ar) row.setAttribute("data-paragraph", String(p + 1));
      var missing = pending
        ? (p === 0 ? {className: "parallel-pending", text: "Translation pending: this article has no English translation yet."} : null)
        : {className: "is-missing", text: "[not translated]"};
      var arabic = ar[p] || null, english = en[p] || null;
      if (arabic && english && arabic.length !== english.length) {  // not sentence-aligned: whole paragraphs
        arabic = [arabic.join(" ")];
        english = [english.filter(function (x) { return x !== null; }).join(" ")];
      }
      row.appendChild(cell("ar", arabic, p, null));
      row.appendChild(cell("en", english, p, missing));
      grid.appendChild(row);
    }
  }

  // How to read the view, in the page's language: written here rather than into every page (about
  // 0.3 KB each), since the view is only ever laid out by this script.
  function hint(details) {
    var en = details.getAttribute("data-lang") === "en";
    var status = details.getAttribute("data-status");
    var note = document.createElement("p");
    note.className = "parallel-hint";
    if (status === "translation pending") {
      note.textContent = en ? "There is no English translation of this article yet: the Arabic text is shown alone."
        : "لا توجد ترجمة إنجليزية لهذا المقال بعد، فيظهر النص العربي وحده.";
      return note;
    }
    var reviewed = status === "reviewed translation";
    var unit = en ? (reviewed ? "paragraph" : "sentence") : (reviewed ? "فقرة" : "جملة");
    var key = document.createElement("kbd");
    key.textContent = "Tab";
    note.appendChild(document.createTextNode(en
      ? "The Arabic original and its English translation, paragraph by paragraph. Hover over a " + unit +
        ", or move to it with the "
      : "النص العربي الأصلي وترجمته الإنجليزية، فقرةً بفقرة. مرّر المؤشر على " + unit + " أو انتقل إليها بمفتاح "));
    note.appendChild(key);
    note.appendChild(document.createTextNode(en ? " key, to highlight its counterpart."
      : " لتظهر مقابلتها في النص الآخر."));
    return note;
  }

  function fill(details) {
    if (details.getAttribute("data-filled")) return;
    details.setAttribute("data-filled", "1");
    details.querySelector(".parallel-grid").before(hint(details));
    var own = paragraphs(document);
    var units = JSON.parse(details.getAttribute("data-units"));
    var twinLang = details.getAttribute("data-lang") === "ar" ? "en" : "ar";
    if (!units[twinLang].length) { lay(details, own, []); return; }  // nothing to fetch (no translation)
    fetch(details.getAttribute("data-twin"), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        lay(details, own, paragraphs(new DOMParser().parseFromString(html, "text/html")));
      })
      .catch(function () {  // opened from a file, or offline: this page's own text alone
        lay(details, own, []);
        var note = document.createElement("p");
        note.className = "parallel-hint";
        note.textContent = details.getAttribute("data-lang") === "ar"
          ? "تعذّر تحميل النص الآخر: افتح الموقع عبر خادم (mkdocs serve)."
          : "The other text could not be loaded: open the site through a server (mkdocs serve).";
        details.querySelector(".parallel-grid").before(note);
      });
  }

  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("details.parallel") && el.open) fill(el);
  }, true);

  function sentence(node) {
    if (!node || node.nodeType !== 1 || !node.closest) return null;
    var el = node.closest("[data-pair]");
    return el && el.closest(".parallel") ? el : null;
  }

  function mark(el) {
    if (!el || !el.isConnected) return;
    var id = el.getAttribute("data-pair");
    var all = el.closest(".parallel").querySelectorAll("[data-pair]");
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-pair") === id) all[i].classList.add(LINKED);
    }
  }

  function update() {
    var old = document.querySelectorAll(".parallel ." + LINKED);
    for (var i = 0; i < old.length; i++) old[i].classList.remove(LINKED);
    mark(hovered);
    mark(focused);
  }

  document.addEventListener("mouseover", function (event) {
    var el = sentence(event.target);
    if (el !== hovered) { hovered = el; update(); }
  });
  document.addEventListener("mouseout", function (event) {
    if (hovered && sentence(event.relatedTarget) !== hovered) { hovered = null; update(); }
  });
  document.addEventListener("focusin", function (event) {
    var el = sentence(event.target);
    if (el !== focused) { focused = el; update(); }
  });
  document.addEventListener("focusout", function (event) {
    if (focused && sentence(event.relatedTarget) !== focused) { focused = null; update(); }
  });
})();
