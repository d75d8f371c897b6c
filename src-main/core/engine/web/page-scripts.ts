/**
 * Code that runs inside the page (one frame at a time), kept as JavaScript source because the
 * core compiles without the DOM library. Each script walks the document and every open shadow
 * root inside it; iframes are separate frames, visited by the caller. The scripts read labels,
 * roles and names — never the values typed into fields.
 */

const PRELUDE = String.raw`
  const clean = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const shadowRoots = () => {
    const out = [];
    const walk = (root) => { for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { out.push(el.shadowRoot); walk(el.shadowRoot); } };
    walk(document);
    return out;
  };
  const all = (selector) => [document, ...shadowRoots()].flatMap((r) => Array.from(r.querySelectorAll(selector)));
  const visible = (el) => {
    if (!el.isConnected) return false;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || st.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const CONTROLS = 'input,select,textarea,button';
  const ownText = (el) => {
    const c = el.cloneNode(true);
    for (const x of c.querySelectorAll(CONTROLS + ',script,style,template')) x.remove();
    return clean(c.textContent);
  };
  const byIds = (el, ids) => {
    const root = el.getRootNode();
    return ids.split(/\s+/).filter(Boolean).map((id) => (root.getElementById ? root.getElementById(id) : null)).filter(Boolean).map(ownText).join(' ');
  };
  const hasControl = (n) => n.nodeType === 1 && (n.matches(CONTROLS) || !!n.querySelector(CONTROLS));
  // The text just before a field that has no <label>: a sibling, or a sibling of an ancestor
  // (<th>お名前</th><td><input></td>, <dt>/<dd>, <span>名前</span><input>). Stops at another
  // field's text, at the form, and after four levels.
  const nearbyText = (el) => {
    let node = el;
    for (let depth = 0; depth < 4 && node; depth++) {
      for (let s = node.previousSibling; s; s = s.previousSibling) {
        if (s.nodeType === 3) { const t = clean(s.textContent); if (t) return t.length <= 80 ? t : ''; continue; }
        if (s.nodeType !== 1 || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(s.tagName)) continue;
        if (hasControl(s)) return '';
        const t = ownText(s);
        if (t) return t.length <= 80 ? t : '';
      }
      const parent = node.parentNode;
      node = parent && parent.nodeType === 11 ? parent.host : parent;
      if (!node || node.nodeType !== 1 || node === document.body || node.tagName === 'FORM') break;
    }
    return '';
  };
  const labelSources = (el) => {
    const out = [];
    const push = (strategy, text) => { const t = clean(text); if (t) out.push({ strategy, text: t }); };
    for (const l of Array.from(el.labels || [])) push('label', ownText(l));
    const ids = el.getAttribute('aria-labelledby');
    if (ids) push('aria-labelledby', byIds(el, ids));
    push('aria-label', el.getAttribute('aria-label'));
    push('title', el.getAttribute('title'));
    push('placeholder', el.getAttribute('placeholder'));
    push('nearby-text', nearbyText(el));
    return out;
  };
  const TEXT_TYPES = ['text', 'email', 'tel', 'url', 'search', 'password', 'number', 'date', 'datetime-local', 'month', 'week', 'time'];
  const isFillable = (el) => {
    if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
    if (el.tagName === 'INPUT') return TEXT_TYPES.includes(el.type);
    return el.isContentEditable || el.getAttribute('role') === 'textbox';
  };
  const inShadow = (el) => el.getRootNode() !== document;
`;

/** What a field scan reports per field (the element itself stays in the page, in `els`). */
export interface ScannedField {
  tag: string;
  type: string;
  name: string;
  id: string;
  visible: boolean;
  disabled: boolean;
  shadow: boolean;
  sources: { strategy: LabelStrategy; text: string }[];
}

export const LABEL_STRATEGIES = ['label', 'aria-labelledby', 'aria-label', 'title', 'placeholder', 'nearby-text'] as const;
export type LabelStrategy = (typeof LABEL_STRATEGIES)[number];

export type FieldKind = 'fill' | 'file';

/** An expression whose value is `{fields: ScannedField[], els: Element[]}` (evaluate it as a handle). */
export function scanFieldsScript(kind: FieldKind): string {
  return String.raw`(() => {
    ${PRELUDE}
    const kind = ${JSON.stringify(kind)};
    const selector = kind === 'file' ? 'input[type=file]' : 'input,textarea,select,[contenteditable],[role=textbox]';
    const els = all(selector).filter((el) => kind === 'file' || isFillable(el));
    const fields = els.map((el) => ({
      tag: el.tagName.toLowerCase(),
      type: el.type || '',
      name: el.getAttribute('name') || '',
      id: el.id || '',
      visible: kind === 'file' ? true : visible(el),
      disabled: !!el.disabled || !!el.readOnly || el.getAttribute('aria-disabled') === 'true',
      shadow: inShadow(el),
      sources: labelSources(el),
    }));
    return { fields, els };
  })()`;
}

/** The rendered text of the frame, including open shadow roots. */
export const PAGE_TEXT_SCRIPT = String.raw`(() => {
  ${PRELUDE}
  const parts = [document.body ? document.body.innerText : ''];
  for (const root of shadowRoots()) for (const child of Array.from(root.children)) parts.push(child.innerText || child.textContent || '');
  return parts.join('\n');
})()`;

export interface SchemaElement {
  role: string;
  name: string;
  /** The field's label when it differs from its name (e.g. a placeholder-named input with a nearby label). */
  label?: string;
  tag: string;
  type?: string;
  name_attr?: string;
  id?: string;
  placeholder?: string;
  href?: string;
  required?: boolean;
  disabled?: boolean;
  checked?: boolean;
  visible: boolean;
  shadow: boolean;
}

/** Interactive elements with their ARIA role and accessible name (approximated), never values. */
export const DOM_SCHEMA_SCRIPT = String.raw`(() => {
  ${PRELUDE}
  const INTERACTIVE = new Set(['button', 'link', 'textbox', 'searchbox', 'checkbox', 'radio', 'combobox', 'listbox', 'option', 'menuitem',
    'menuitemcheckbox', 'menuitemradio', 'tab', 'switch', 'slider', 'spinbutton', 'treeitem']);
  const INPUT_ROLES = { button: 'button', submit: 'button', reset: 'button', image: 'button', file: 'button', checkbox: 'checkbox',
    radio: 'radio', range: 'slider', number: 'spinbutton', search: 'searchbox' };
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').split(/\s+/)[0];
    if (explicit) return explicit;
    switch (el.tagName) {
      case 'A': return el.hasAttribute('href') ? 'link' : 'generic';
      case 'BUTTON': case 'SUMMARY': return 'button';
      case 'SELECT': return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
      case 'TEXTAREA': return 'textbox';
      case 'INPUT': return INPUT_ROLES[el.type] || 'textbox';
      default: return el.isContentEditable ? 'textbox' : 'generic';
    }
  };
  const nameOf = (el, role, sources) => {
    const ids = el.getAttribute('aria-labelledby');
    if (ids) { const t = byIds(el, ids); if (t) return t; }
    const aria = clean(el.getAttribute('aria-label'));
    if (aria) return aria;
    const label = sources.find((s) => s.strategy === 'label');
    if (label) return label.text;
    if (el.tagName === 'INPUT' && ['button', 'submit', 'reset'].includes(el.type)) return clean(el.value) || (el.type === 'submit' ? 'Submit' : el.type === 'reset' ? 'Reset' : '');
    if (el.tagName === 'INPUT' && el.type === 'image') return clean(el.alt);
    if (['button', 'link', 'tab', 'menuitem', 'option', 'treeitem', 'checkbox', 'radio', 'switch', 'generic'].includes(role)) {
      const text = clean(el.innerText || el.textContent);
      if (text) return text.length > 120 ? text.slice(0, 117) + '...' : text;
      const img = el.querySelector && el.querySelector('img[alt]');
      if (img) return clean(img.alt);
    }
    return clean(el.getAttribute('title')) || clean(el.getAttribute('placeholder'));
  };
  const selector = 'a[href],button,input,select,textarea,summary,[role],[contenteditable],[onclick],[tabindex]:not([tabindex="-1"])';
  const out = [];
  for (const el of all(selector)) {
    if (el.tagName === 'INPUT' && el.type === 'hidden') continue;
    const role = roleOf(el);
    if (!INTERACTIVE.has(role) && !el.hasAttribute('onclick') && !el.hasAttribute('tabindex')) continue;
    const sources = labelSources(el);
    const name = nameOf(el, role, sources);
    const item = { role, name, tag: el.tagName.toLowerCase(), visible: visible(el), shadow: inShadow(el) };
    const label = sources.length ? sources[0].text : '';
    if (label && label !== name && ['textbox', 'searchbox', 'combobox', 'listbox', 'spinbutton', 'slider', 'checkbox', 'radio'].includes(role)) item.label = label;
    if (el.tagName === 'INPUT') item.type = el.type;
    if (el.getAttribute('name')) item.name_attr = el.getAttribute('name');
    if (el.id) item.id = el.id;
    if (el.getAttribute('placeholder')) item.placeholder = el.getAttribute('placeholder');
    if (el.tagName === 'A' && el.getAttribute('href')) item.href = el.getAttribute('href').slice(0, 200);
    if (el.required) item.required = true;
    if (el.disabled || el.getAttribute('aria-disabled') === 'true') item.disabled = true;
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) item.checked = el.checked;
    out.push(item);
  }
  return out;
})()`;
