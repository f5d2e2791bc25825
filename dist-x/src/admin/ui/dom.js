/**
 * Element building without a framework: `h('td', { class: 'num' }, 42)`.
 * Text always goes in as text nodes, never as HTML; the only HTML the
 * pages insert comes from the side-by-side and chart modules, which escape
 * every value themselves.
 */
export function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props ?? {})) {
        if (v === undefined || v === null || v === false)
            continue;
        if (typeof v === 'function')
            el.addEventListener(k.slice(2).toLowerCase(), v);
        else if (k === 'class')
            el.className = String(v);
        else
            el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
}
export function append(el, children) {
    for (const c of children) {
        if (c === null || c === undefined || c === false)
            continue;
        if (Array.isArray(c))
            append(el, c);
        else
            el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
}
/** Replaces an element's children. */
export function fill(el, ...children) {
    el.replaceChildren();
    append(el, children);
}
/** An element holding trusted markup (escaped by the module that built it). */
export function markup(tag, props, html) {
    const el = h(tag, props);
    el.innerHTML = html;
    return el;
}
//# sourceMappingURL=dom.js.map