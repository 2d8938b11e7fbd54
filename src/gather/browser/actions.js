// Page actions, each one DevTools command: fill a form (set values, fire input/change so the
// page's handlers run), click (marking the document so the driver can tell when a new one has
// loaded), double click (two clicks 20 ms apart, as a hurried customer does).
window.__shopaudit = {
  arm() {
    window.__sa_mark = 1;
    window.__sa_leaving = false;
    window.__sa_last = Date.now();
    addEventListener('beforeunload', () => { window.__sa_leaving = true; });
    if (!window.__sa_obs) {
      window.__sa_obs = new MutationObserver(() => { window.__sa_last = Date.now(); });
      window.__sa_obs.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    }
  },
  fill(actions) {
    const setValue = (el, v) => {
      const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : el.tagName === 'SELECT' ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);
    };
    const fire = (el) => { for (const t of ['input', 'change']) el.dispatchEvent(new Event(t, { bubbles: true })); };
    const placeholder = /^(-+|select|choose|please|seleccion|elige|elija|choisi|sélection)/i;
    const out = [];
    for (const a of actions) {
      const el = document.querySelector(a.selector);
      if (!el) { out.push(false); continue; }
      if (a.op === 'check') {
        if (!el.checked) el.click();
        if (!el.checked) { el.checked = true; fire(el); }
      } else if (a.op === 'select') {
        const opts = Array.from(el.options).filter((o) => !o.disabled);
        const want = (a.value || '').toLowerCase();
        let o = want ? opts.find((o) => o.value.toLowerCase() === want || o.text.trim().toLowerCase() === want) : null;
        if (!o && el.value && !placeholder.test((el.selectedOptions[0] || {}).text || '')) o = el.selectedOptions[0];
        if (!o) o = opts.find((o) => o.value !== '' && !placeholder.test(o.text.trim()));
        if (o) { setValue(el, o.value); fire(el); }
      } else {
        el.focus();
        setValue(el, a.value);
        fire(el);
        el.dispatchEvent(new Event('blur'));
        // Keeps a test card number out of every screenshot.
        if (a.secret) el.style.webkitTextSecurity = 'disc';
      }
      out.push(true);
    }
    return out;
  },
  // The fixed layer (a cookie banner, a modal) that would take a customer's click on `el`:
  // script clicks go through such layers, real ones do not.
  coveringLayer(el) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return null;
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
    const hit = document.elementFromPoint(x, y);
    if (!hit || hit === el || el.contains(hit) || hit.contains(el)) return null;
    if (el.labels && Array.from(el.labels).some((l) => l.contains(hit))) return null;
    let layer = null;
    for (let n = hit; n && n !== document.body && n !== document.documentElement; n = n.parentElement) {
      const p = getComputedStyle(n).position;
      if (p === 'fixed' || p === 'sticky') layer = n;
    }
    if (!layer) return null;
    const clean = (t) => (t || '').replace(/\s+/g, ' ').trim();
    const buttons = Array.from(layer.querySelectorAll('button, a[href], [role=button], input[type=button], input[type=submit]'))
      .filter((b) => b.getClientRects().length > 0)
      .slice(0, 20)
      .map((b, i) => {
        b.setAttribute('data-shopaudit-layer', String(i));
        return { selector: '[data-shopaudit-layer="' + i + '"]', text: clean(b.innerText || b.value || b.getAttribute('aria-label')).slice(0, 80) };
      });
    return { text: clean(layer.innerText).slice(0, 200), buttons };
  },
  click(selector) {
    const el = document.querySelector(selector);
    if (!el) return { clicked: false };
    if (el.scrollIntoView) el.scrollIntoView({ block: 'center', behavior: 'instant' });
    const covered = this.coveringLayer(el);
    if (covered) return { clicked: false, covered };
    this.arm();
    el.click();
    return { clicked: true };
  },
  async doubleClick(selector) {
    const el = document.querySelector(selector);
    if (!el) return { clicked: false, disabled_after_first: false };
    if (el.scrollIntoView) el.scrollIntoView({ block: 'center', behavior: 'instant' });
    const covered = this.coveringLayer(el);
    if (covered) return { clicked: false, covered };
    this.arm();
    el.click();
    await new Promise((r) => setTimeout(r, 20));
    const disabled = !el.isConnected || el.disabled || el.getAttribute('aria-disabled') === 'true';
    el.click();
    return { clicked: true, disabled_after_first: disabled };
  },
  go(url) {
    this.arm();
    location.href = url;
    return true;
  },
};
