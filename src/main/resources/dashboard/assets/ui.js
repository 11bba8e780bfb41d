// Small DOM helpers: no framework, every element built with h().
let idCounter = 0;

/** Creates an element: h('a', {href, class, onclick}, 'text', child, [more]). */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'value') {
      el.value = value;
    } else if (key === 'checked' || key === 'disabled' || key === 'hidden' || key === 'open' || key === 'selected') {
      el[key] = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * Replaces an element's children as h() adds them: absent parts (null, undefined, false) are skipped. The DOM's own
 * replaceChildren() would render a null as the text "null".
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled field: the label is tied to the control with for/id, and the hint with aria-describedby. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid('field');
  const children = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hintEl = h('small', { class: 'hint', id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    children.push(hintEl);
  }
  return h('div', { class: 'field' }, children);
}

/** A select with options given as [value, label] pairs. */
export function select(props, options, selected) {
  return h('select', props, options.map(([value, label]) => h('option', { value, selected: value === selected }, label)));
}

/** A notice box: kind is info, ok, warn or error. Errors are announced to screen readers. */
export function notice(kind, ...content) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, content);
}

/** Shows the API error (or success text) in a form's message slot. */
export function showResult(slot, kind, ...content) {
  slot.replaceChildren(notice(kind, ...content));
}

export function errorText(error) {
  return error?.code && error.code !== 'network_error' ? `${error.message} (${error.code})` : String(error?.message ?? error);
}

/** Runs an action with its button disabled, and the API error shown in `slot`. */
export async function act(button, slot, action) {
  button.disabled = true;
  slot?.replaceChildren();
  try {
    return await action();
  } catch (error) {
    if (slot) showResult(slot, 'error', errorText(error));
    else throw error;
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** Epoch seconds or milliseconds as "2024-05-01 12:00:03 UTC": one unambiguous format everywhere. */
export function time(value) {
  if (value === null || value === undefined || value === '') return '—';
  const millis = value < 1e11 ? value * 1000 : value;
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function table(headers, rows, props = {}) {
  return h('table', props,
    h('thead', {}, h('tr', {}, headers.map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows));
}

/** A copy button for a read-only input; falls back to selecting the text where the Clipboard API is missing. */
export function copyButton(input, label = 'Copy') {
  const status = h('span', { class: 'copy-status', 'aria-live': 'polite' });
  const button = h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      input.select();
      let copied = false;
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(input.value);
          copied = true;
        }
      } catch (e) {
        copied = false;
      }
      if (!copied) copied = document.execCommand && document.execCommand('copy');
      status.textContent = copied ? 'Copied' : 'Selected: press Ctrl+C to copy';
    },
  }, label);
  return [button, status];
}

export function badge(text, kind = 'neutral') {
  return h('span', { class: `badge badge-${kind}` }, text);
}

export function section(title, ...content) {
  return h('section', { class: 'card' }, h('h2', {}, title), content);
}

export function definitionList(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

export function code(text) {
  return h('code', {}, text);
}
