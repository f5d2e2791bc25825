/**
 * Element building without a framework: `h('td', { class: 'num' }, 42)`.
 * Text always goes in as text nodes, never as HTML; the only HTML the
 * pages insert comes from the side-by-side and chart modules, which escape
 * every value themselves.
 */

export type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** An element holding trusted markup (escaped by the module that built it). */
export function markup<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null, html: string): HTMLElementTagNameMap[K] {
  const el = h(tag, props);
  el.innerHTML = html;
  return el;
}
