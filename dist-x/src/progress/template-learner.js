import { pathSegments } from '../rules/normalise-path.js';
import { classifySegment } from './segment-kind.js';
const newNode = (label, pinned = false) => ({
    label,
    pinned,
    literals: null,
    kinds: null,
    param: null,
    paramSeeded: false,
    learnedLiterals: 0,
    collapsed: false,
    hits: 0,
    terminal: null,
    rest: null,
});
const COLLAPSED_PARAM = '{param}';
const joinLabels = (labels) => '/' + labels.join('/');
const restOf = (labels) => (labels.length ? joinLabels(labels) + '/**' : '/**');
export class TemplateLearner {
    maxTemplates;
    maxChildren;
    maxDepth;
    maxLiteralLength;
    /** Learned templates stop here; the rest of the cap is for prefix overflow. */
    learnLimit;
    root = newNode('', true);
    /** Templates handed out, the root's `/**` excluded (it is always there). Never goes down. */
    issued = 0;
    nodes = 1;
    constructor(options = {}) {
        this.maxTemplates = Math.max(1, Math.floor(options.maxTemplates ?? 2000));
        this.maxChildren = Math.max(1, Math.floor(options.maxChildrenPerParent ?? 50));
        this.maxDepth = Math.max(1, Math.floor(options.maxDepth ?? 32));
        this.maxLiteralLength = Math.max(1, Math.floor(options.maxLiteralLength ?? 64));
        // One slot for the root `/**`, a tenth for prefixed overflow.
        this.learnLimit = this.maxTemplates - 1 - Math.floor(this.maxTemplates / 10);
        this.root.rest = '/**';
    }
    /** Distinct templates handed out or seeded so far, `/**` included. */
    get templateCount() {
        return this.issued + 1;
    }
    /** Tree nodes held: a measure of memory that does not depend on the heap. */
    get nodeCount() {
        return this.nodes;
    }
    /** The template for normalised path segments, learning as it goes. */
    template(segments) {
        const depth = Math.min(segments.length, this.maxDepth);
        const deep = segments.length > this.maxDepth;
        const path = [this.root];
        const labels = [];
        let node = this.root;
        node.hits++;
        let i = 0;
        for (; i < depth; i++) {
            const next = this.child(node, this.slot(node, segments[i]));
            if (!next)
                break;
            node = next;
            node.hits++;
            path.push(node);
            labels.push(node.label);
        }
        if (i === depth) {
            const known = deep ? node.rest : node.terminal;
            if (known)
                return known;
        }
        if (this.issued < this.learnLimit) {
            for (; i < depth; i++) {
                node = this.create(node, segments[i]);
                node.hits++;
                labels.push(node.label);
            }
            this.issued++;
            if (deep)
                return (node.rest = restOf(labels));
            return (node.terminal = joinLabels(labels));
        }
        return this.overflow(path, labels);
    }
    /**
     * Preloads a known template (`/api/orders/{id}`, `/api/users/**`) so that
     * traffic is attributed to it: its literals are kept even past the
     * per-parent limit, and its parameters take every non-literal value at
     * their position, which also drops what traffic had learned there.
     */
    seed(template) {
        const segments = pathSegments(template);
        let node = this.root;
        const labels = [];
        for (let i = 0; i < segments.length; i++) {
            const seg = segments[i];
            if (seg === '**' && i === segments.length - 1) {
                if (!node.rest)
                    this.issued++;
                node.rest = restOf(labels);
                return;
            }
            node = seg.includes('{') ? this.seedParam(node, seg) : this.seedLiteral(node, seg);
            labels.push(seg);
        }
        if (!node.terminal)
            this.issued++;
        // A seeded spelling replaces a learned one: the operator's names win.
        node.terminal = joinLabels(labels);
    }
    /** Where `seg` belongs under `node`, without changing anything. */
    slot(node, seg) {
        if (node.literals?.has(seg))
            return { kind: 'literal', key: seg };
        if (node.paramSeeded)
            return { kind: 'param' };
        const kind = classifySegment(seg);
        if (kind)
            return { kind: 'kind', key: kind };
        // Braces or `**` in a request would forge a template's spelling.
        if (seg.length > this.maxLiteralLength || /[{}]/.test(seg) || seg === '**')
            return { kind: 'param' };
        if (node.collapsed)
            return { kind: 'param' };
        return { kind: 'literal', key: seg };
    }
    child(node, slot) {
        if (slot.kind === 'literal')
            return node.literals?.get(slot.key) ?? null;
        if (slot.kind === 'kind')
            return node.kinds?.get(slot.key) ?? null;
        return node.param;
    }
    create(node, seg) {
        let slot = this.slot(node, seg);
        const existing = this.child(node, slot);
        if (existing)
            return existing;
        if (slot.kind === 'literal' && node.learnedLiterals >= this.maxChildren) {
            this.collapse(node);
            slot = { kind: 'param' };
            const param = this.child(node, slot);
            if (param)
                return param;
        }
        this.nodes++;
        if (slot.kind === 'literal') {
            const created = newNode(slot.key);
            (node.literals ??= new Map()).set(slot.key, created);
            node.learnedLiterals++;
            return created;
        }
        if (slot.kind === 'kind') {
            const created = newNode(slot.key);
            (node.kinds ??= new Map()).set(slot.key, created);
            return created;
        }
        return (node.param = newNode(COLLAPSED_PARAM));
    }
    /**
     * Too many distinct literals here: the position is a parameter. Most of the
     * learned literals go too, so that `/users/alice` and `/users/zoe` end up
     * in the same template whichever came first; their paths are learned again
     * under `{param}` on their next request. A literal that carried at least
     * 1/maxChildrenPerParent of this position's requests stays: under even
     * traffic no value does (51 users share it by 1/51 each), while `api`
     * amid a vulnerability scanner's thousand one-off paths does, and a
     * scanner must not turn a whole inventory into `/{param}/…`.
     */
    collapse(node, keepBusy = true) {
        node.collapsed = true;
        if (!node.literals)
            return;
        for (const [key, child] of node.literals) {
            if (child.pinned || (keepBusy && child.hits * this.maxChildren >= node.hits))
                continue;
            this.drop(child);
            node.literals.delete(key);
            node.learnedLiterals--;
        }
    }
    /** Forgets a learned subtree. Its templates stay counted: the store still has them. */
    drop(node) {
        this.nodes--;
        for (const child of node.literals?.values() ?? [])
            this.drop(child);
        for (const child of node.kinds?.values() ?? [])
            this.drop(child);
        if (node.param)
            this.drop(node.param);
    }
    overflow(path, labels) {
        const deepest = path[path.length - 1];
        if (deepest.rest)
            return deepest.rest;
        if (this.issued < this.maxTemplates - 1) {
            this.issued++;
            return (deepest.rest = restOf(labels));
        }
        for (let i = path.length - 2; i >= 0; i--) {
            const rest = path[i].rest;
            if (rest)
                return rest;
        }
        return '/**';
    }
    seedLiteral(node, seg) {
        let child = node.literals?.get(seg);
        if (!child) {
            child = newNode(seg, true);
            (node.literals ??= new Map()).set(seg, child);
            this.nodes++;
        }
        else if (!child.pinned) {
            node.learnedLiterals--;
        }
        child.pinned = true;
        return child;
    }
    seedParam(node, seg) {
        if (node.paramSeeded && node.param)
            return node.param;
        // The seed says this position is a parameter: what traffic learned here
        // (literals, classified values, a collapsed {param}) is superseded. A
        // partial one such as `{invoiceId}.pdf` takes any value here too: one
        // parameter per position keeps the walk free of backtracking.
        for (const child of node.kinds?.values() ?? [])
            this.drop(child);
        node.kinds = null;
        if (node.param)
            this.drop(node.param);
        this.collapse(node, false);
        node.param = newNode(seg, true);
        node.paramSeeded = true;
        this.nodes++;
        return node.param;
    }
}
//# sourceMappingURL=template-learner.js.map