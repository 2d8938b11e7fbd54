// Reads the whole state of the page in one call: forms and their visible fields, clickable
// elements, prices with the text of their row, messages, headings, JSON-LD and visible text.
// Evaluated as an expression; the driver wraps it in JSON.stringify.
(() => {
  const clean = (t) => (t || '').replace(/\s+/g, ' ').trim();
  const esc = (s) => CSS.escape(s);
  const quote = (s) => '"' + String(s).replace(/["\\]/g, '\\$&') + '"';
  const unique = (s) => { try { return document.querySelectorAll(s).length === 1; } catch (e) { return false; } };
  // Attributes, not properties: a form's `action` or `id` property is shadowed by a field of
  // that name (<input name="action">).
  const idOf = (el) => el.getAttribute('id') || '';
  const selectorOf = (el) => {
    if (el === document.body) return 'body';
    if (idOf(el) && unique('#' + esc(idOf(el)))) return '#' + esc(idOf(el));
    const tag = el.tagName.toLowerCase();
    const name = el.getAttribute('name');
    if (name) {
      const s = tag + '[name=' + quote(name) + ']';
      if (unique(s)) return s;
      const v = el.getAttribute('value');
      if (v !== null && unique(s + '[value=' + quote(v) + ']')) return s + '[value=' + quote(v) + ']';
    }
    const parts = [];
    let n = el;
    while (n && n.nodeType === 1 && n !== document.body && n !== document.documentElement) {
      if (n !== el && idOf(n) && unique('#' + esc(idOf(n)))) { parts.unshift('#' + esc(idOf(n))); return parts.join(' > '); }
      let i = 1, p = n;
      while ((p = p.previousElementSibling)) if (p.tagName === n.tagName) i++;
      parts.unshift(n.tagName.toLowerCase() + ':nth-of-type(' + i + ')');
      n = n.parentElement;
    }
    parts.unshift('body');
    return parts.join(' > ');
  };
  const shown = (el) => {
    if (!el || !el.isConnected) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const labelOf = (el) => {
    if (el.labels && el.labels.length) return clean(Array.from(el.labels).map((l) => l.innerText).join(' '));
    const aria = el.getAttribute('aria-label');
    if (aria) return clean(aria);
    const by = el.getAttribute('aria-labelledby');
    if (by) return clean(by.split(/\s+/).map((id) => { const e = document.getElementById(id); return e ? e.innerText : ''; }).join(' '));
    const wrap = el.closest('label');
    if (wrap) return clean(wrap.innerText);
    return '';
  };
  // A styled checkbox is often invisible itself while its label is what the customer clicks.
  const fieldShown = (el) => shown(el) || (el.labels && Array.from(el.labels).some(shown));
  const NOT_FIELDS = ['hidden', 'submit', 'button', 'reset', 'image'];
  const fieldOf = (el) => ({
    tag: el.tagName.toLowerCase(),
    kind: el.tagName === 'INPUT' ? (el.getAttribute('type') || 'text').toLowerCase() : el.tagName.toLowerCase(),
    name: el.getAttribute('name'),
    id: idOf(el) || null,
    label: labelOf(el) || null,
    placeholder: el.getAttribute('placeholder'),
    required: el.required || el.getAttribute('aria-required') === 'true',
    autocomplete: el.getAttribute('autocomplete'),
    selector: selectorOf(el),
    checked: !!el.checked,
    has_value: el.type === 'checkbox' || el.type === 'radio' ? !!el.checked : !!el.value,
    invalid: el.getAttribute('aria-invalid') === 'true' || (el.willValidate && !el.checkValidity() && !!el.value),
    options: el.tagName === 'SELECT' ? Array.from(el.options).slice(0, 80).map((o) => [o.value, clean(o.text), o.disabled]) : [],
  });
  const isField = (el) => ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && !NOT_FIELDS.includes((el.getAttribute('type') || '').toLowerCase()) && !el.disabled && fieldShown(el);
  const CLICKABLE = 'a[href], button, input[type=submit], input[type=button], input[type=image], [role=button]';
  const clickOf = (el) => ({
    selector: selectorOf(el),
    tag: el.tagName.toLowerCase(),
    text: clean(el.innerText || el.value || el.getAttribute('aria-label') || el.getAttribute('title') || (el.querySelector('img') ? el.querySelector('img').alt : '')).slice(0, 120),
    href: el.tagName === 'A' ? el.href : null,
    disabled: !!el.disabled || el.getAttribute('aria-disabled') === 'true',
    submits: el.tagName !== 'A' && !!el.form && (el.type === 'submit' || el.type === 'image'),
    form: el.form ? selectorOf(el.form) : null,
  });
  const forms = Array.from(document.forms).map((f) => ({
    selector: selectorOf(f),
    action: f.getAttribute('action') === null ? null : new URL(f.getAttribute('action'), location.href).href,
    method: (f.getAttribute('method') || 'get').toLowerCase(),
    shown: shown(f),
    text: clean(f.innerText).slice(0, 400),
    fields: Array.from(f.elements).filter(isField).map(fieldOf),
    buttons: Array.from(f.querySelectorAll('button, input[type=submit], input[type=image], input[type=button]')).concat(f.id ? Array.from(document.querySelectorAll('[form=' + quote(f.id) + ']')) : []).filter(shown).map(clickOf),
  }));
  const orphans = Array.from(document.querySelectorAll('input, select, textarea')).filter((el) => !el.form && isField(el));
  if (orphans.length) forms.push({ selector: 'body', action: null, method: 'js', shown: true, text: '', fields: orphans.map(fieldOf), buttons: [] });
  const clickables = Array.from(document.querySelectorAll(CLICKABLE)).filter(shown).slice(0, 500).map(clickOf);
  const PRICE = /(?:[$€£¥]|\b(?:USD|EUR|GBP|CAD|AUD|MXN|CHF)\b)\s?-?\d[\d.,\u00a0\u202f ]*\d|(?:[$€£¥]|\b(?:USD|EUR|GBP|CAD|AUD|MXN|CHF)\b)\s?\d|-?\d[\d.,\u00a0\u202f ]*\d?\s?(?:[$€£¥]|\b(?:USD|EUR|GBP|CAD|AUD|MXN|CHF)\b)/;
  const prices = [];
  const main = document.querySelector('main, [role=main]');
  for (const el of document.body ? document.body.querySelectorAll('*') : []) {
    if (prices.length >= 120) break;
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'SELECT'].includes(el.tagName)) continue;
    const t = clean(el.innerText);
    if (!t || t.length > 40 || !PRICE.test(t)) continue;
    // The innermost element holding the price, with little else in it.
    if (Array.from(el.children).some((c) => PRICE.test(clean(c.innerText)))) continue;
    if (t.length - t.match(PRICE)[0].length > 25) continue;
    if (!shown(el)) continue;
    let row = el.closest('tr, li, dd, dt, p, [class*=line], [class*=item], [class*=row], [class*=total], [class*=summary] > div') || el.parentElement || el;
    let rowText = clean(row.innerText);
    if (row.tagName === 'DD') {
      // <dt>Total</dt><dd>$10</dd>: the term names the amount.
      if (row.previousElementSibling) rowText = clean(row.previousElementSibling.innerText) + ' ' + rowText;
    } else if (rowText === t && row.parentElement) {
      row = row.parentElement;
      rowText = clean(row.innerText);
    }
    prices.push({
      text: t,
      row: rowText.slice(0, 240),
      itemprop: el.getAttribute('itemprop') === 'price' ? (el.getAttribute('content') || t) : null,
      in_main: main ? main.contains(el) : true,
      in_form: !!el.closest('form'),
      selector: selectorOf(el),
      heading_near: false,
    });
  }
  const MSG = '[role=alert], [role=status], .alert, .error, .errors, .errorlist, .messages, .message, .notice, .notification, .success, .warning, .invalid-feedback, .field-error, .form-error, [aria-live]';
  const messages = [];
  for (const el of document.querySelectorAll(MSG)) {
    if (messages.length >= 20) break;
    if (!shown(el)) continue;
    const t = clean(el.innerText);
    if (!t || t.length > 400 || messages.some((m) => m.text === t || m.text.includes(t))) continue;
    const cls = (el.className && el.className.baseVal === undefined ? el.className : '').toLowerCase() + ' ' + (el.getAttribute('role') || '');
    const kind = /error|danger|invalid|alert-warning|warning/.test(cls) ? 'error' : /success|info|alert-info/.test(cls) ? 'success' : 'info';
    messages.push({ text: t, kind });
  }
  const jsonLd = [];
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { jsonLd.push(JSON.parse(s.textContent)); } catch (e) { /* ignored: invalid JSON-LD */ }
  }
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    url: location.href,
    status: nav && nav.responseStatus ? nav.responseStatus : null,
    title: document.title,
    lang: document.documentElement.lang || null,
    h1: Array.from(document.querySelectorAll('h1')).filter(shown).map((h) => clean(h.innerText)).slice(0, 5),
    text: document.body ? document.body.innerText.slice(0, 30000) : '',
    main_text: (main || document.body || { innerText: '' }).innerText.slice(0, 30000),
    forms,
    clickables,
    prices,
    messages,
    json_ld: jsonLd,
    meta_price: (document.querySelector('meta[property="product:price:amount"], meta[property="og:price:amount"]') || {}).content || null,
  };
})()
