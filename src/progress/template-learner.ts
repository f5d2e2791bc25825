import { pathSegments } from '../rules/normalise-path.js';
import { classifySegment } from './segment-kind.js';

/**
 * Path templates learned from traffic: a tree of the segments seen so far,
 * in memory, with no I/O. `/api/orders/17` and `/api/orders/18` share
 * `/api/orders/{id}` because the segment classifier calls both values; a
 * position where more than `maxChildrenPerParent` distinct literals turn up
 * under the same parent (`/users/alice`, `/users/bob`, …) is a parameter too.
 * Seeded templates (routes, OpenAPI) are trusted over both.
 *
 * Hostile traffic (random paths) must not grow the endpoint table without
 * bound, so:
 *  - at most `maxTemplates` distinct templates are ever handed out, counting
 *    ones later superseded by a collapse, since the store keeps a row for
 *    each (seeded ones aside: the operator chose them);
 *  - once the learned templates fill their share (all but a tenth of the cap),
 *    a new path is attributed to its longest known prefix + `/**`, such as
 *    `/api/orders/{id}/**`, while that overflow tenth lasts, and then to the
 *    nearest ancestor that already has one, finally `/**`. The prefix keeps
 *    the overflow useful ("something new under /api/orders") without new nodes;
 *  - paths deeper than `maxDepth` segments end in `/**` at that depth;
 *  - a segment longer than `maxLiteralLength` is never learned as a literal;
 *  - every node lies on the way to a template, so the tree holds at most
 *    `maxTemplates × (maxDepth + 1)` nodes, each key at most `maxLiteralLength` long.
 */

export interface TemplateLearnerOptions {
  /** Distinct templates, overflow included. At least 1. */
  maxTemplates?: number;
  /** Distinct learned literals under one parent before that position becomes `{param}`. */
  maxChildrenPerParent?: number;
  /** Segments kept in a template; deeper paths end in `/**`. */
  maxDepth?: number;
  /** Longer segments are values, never literals. */
  maxLiteralLength?: number;
}

interface Node {
  /** This node's segment in a template: a literal or a `{name}`. */
  readonly label: string;
  /** Seeded from a route or an OpenAPI file: never dropped by a collapse. */
  pinned: boolean;
  literals: Map<string, Node> | null;
  /** Children for classified values: `{id}`, `{uuid}`, … */
  kinds: Map<string, Node> | null;
  /** `{param}` after a collapse, or a seeded parameter that takes every non-literal value. */
  param: Node | null;
  paramSeeded: boolean;
  learnedLiterals: number;
  collapsed: boolean;
  /** Requests that passed through: tells the vocabulary from one-off values when this position collapses. */
  hits: number;
  /** The template of a path that ends here. */
  terminal: string | null;
  /** `<prefix>/**`: overflow or depth cut-off under this node. */
  rest: string | null;
}

const newNode = (label: string, pinned = false): Node => ({
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

type Slot =
  | { kind: 'literal'; key: string }
  | { kind: 'kind'; key: string }
  | { kind: 'param' };

const joinLabels = (labels: readonly string[]): string => '/' + labels.join('/');
const restOf = (labels: readonly string[]): string => (labels.length ? joinLabels(labels) + '/**' : '/**');

export class TemplateLearner {
  private readonly maxTemplates: number;
  private readonly maxChildren: number;
  private readonly maxDepth: number;
  private readonly maxLiteralLength: number;
  /** Learned templates stop here; the rest of the cap is for prefix overflow. */
  private readonly learnLimit: number;
  private readonly root = newNode('', true);
  /** Templates handed out, the root's `/**` excluded (it is always there). Never goes down. */
  private issued = 0;
  private nodes = 1;

  constructor(options: TemplateLearnerOptions = {}) {
    this.maxTemplates = Math.max(1, Math.floor(options.maxTemplates ?? 2000));
    this.maxChildren = Math.max(1, Math.floor(options.maxChildrenPerParent ?? 50));
    this.maxDepth = Math.max(1, Math.floor(options.maxDepth ?? 32));
    this.maxLiteralLength = Math.max(1, Math.floor(options.maxLiteralLength ?? 64));
    // One slot for the root `/**`, a tenth for prefixed overflow.
    this.learnLimit = this.maxTemplates - 1 - Math.floor(this.maxTemplates / 10);
    this.root.rest = '/**';
  }

  /** Distinct templates handed out or seeded so far, `/**` included. */
  get templateCount(): number {
    return this.issued + 1;
  }

  /** Tree nodes held: a measure of memory that does not depend on the heap. */
  get nodeCount(): number {
    return this.nodes;
  }

  /** The template for normalised path segments, learning as it goes. */
  template(segments: readonly string[]): string {
    const depth = Math.min(segments.length, this.maxDepth);
    const deep = segments.length > this.maxDepth;
    const path: Node[] = [this.root];
    const labels: string[] = [];
    let node = this.root;
    node.hits++;
    let i = 0;
    for (; i < depth; i++) {
      const next = this.child(node, this.slot(node, segments[i]!));
      if (!next) break;
      node = next;
      node.hits++;
      path.push(node);
      labels.push(node.label);
    }
    if (i === depth) {
      const known = deep ? node.rest : node.terminal;
      if (known) return known;
    }

    if (this.issued < this.learnLimit) {
      for (; i < depth; i++) {
        node = this.create(node, segments[i]!);
        node.hits++;
        labels.push(node.label);
      }
      this.issued++;
      if (deep) return (node.rest = restOf(labels));
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
  seed(template: string): void {
    const segments = pathSegments(template);
    let node = this.root;
    const labels: string[] = [];
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (seg === '**' && i === segments.length - 1) {
        if (!node.rest) this.issued++;
        node.rest = restOf(labels);
        return;
      }
      node = seg.includes('{') ? this.seedParam(node, seg) : this.seedLiteral(node, seg);
      labels.push(seg);
    }
    if (!node.terminal) this.issued++;
    // A seeded spelling replaces a learned one: the operator's names win.
    node.terminal = joinLabels(labels);
  }

  /** Where `seg` belongs under `node`, without changing anything. */
  private slot(node: Node, seg: string): Slot {
    if (node.literals?.has(seg)) return { kind: 'literal', key: seg };
    if (node.paramSeeded) return { kind: 'param' };
    const kind = classifySegment(seg);
    if (kind) return { kind: 'kind', key: kind };
    // Braces or `**` in a request would forge a template's spelling.
    if (seg.length > this.maxLiteralLength || /[{}]/.test(seg) || seg === '**') return { kind: 'param' };
    if (node.collapsed) return { kind: 'param' };
    return { kind: 'literal', key: seg };
  }

  private child(node: Node, slot: Slot): Node | null {
    if (slot.kind === 'literal') return node.literals?.get(slot.key) ?? null;
    if (slot.kind === 'kind') return node.kinds?.get(slot.key) ?? null;
    return node.param;
  }

  private create(node: Node, seg: string): Node {
    let slot = this.slot(node, seg);
    const existing = this.child(node, slot);
    if (existing) return existing;
    if (slot.kind === 'literal' && node.learnedLiterals >= this.maxChildren) {
      this.collapse(node);
      slot = { kind: 'param' };
      const param = this.child(node, slot);
      if (param) return param;
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
  private collapse(node: Node, keepBusy = true): void {
    node.collapsed = true;
    if (!node.literals) return;
    for (const [key, child] of node.literals) {
      if (child.pinned || (keepBusy && child.hits * this.maxChildren >= node.hits)) continue;
      this.drop(child);
      node.literals.delete(key);
      node.learnedLiterals--;
    }
  }

  /** Forgets a learned subtree. Its templates stay counted: the store still has them. */
  private drop(node: Node): void {
    this.nodes--;
    for (const child of node.literals?.values() ?? []) this.drop(child);
    for (const child of node.kinds?.values() ?? []) this.drop(child);
    if (node.param) this.drop(node.param);
  }

  private overflow(path: readonly Node[], labels: readonly string[]): string {
    const deepest = path[path.length - 1]!;
    if (deepest.rest) return deepest.rest;
    if (this.issued < this.maxTemplates - 1) {
      this.issued++;
      return (deepest.rest = restOf(labels));
    }
    for (let i = path.length - 2; i >= 0; i--) {
      const rest = path[i]!.rest;
      if (rest) return rest;
    }
    return '/**';
  }

  private seedLiteral(node: Node, seg: string): Node {
    let child = node.literals?.get(seg);
    if (!child) {
      child = newNode(seg, true);
      (node.literals ??= new Map()).set(seg, child);
      this.nodes++;
    } else if (!child.pinned) {
      node.learnedLiterals--;
    }
    child.pinned = true;
    return child;
  }

  private seedParam(node: Node, seg: string): Node {
    if (node.paramSeeded && node.param) return node.param;
    // The seed says this position is a parameter: what traffic learned here
    // (literals, classified values, a collapsed {param}) is superseded. A
    // partial one such as `{invoiceId}.pdf` takes any value here too: one
    // parameter per position keeps the walk free of backtracking.
    for (const child of node.kinds?.values() ?? []) this.drop(child);
    node.kinds = null;
    if (node.param) this.drop(node.param);
    this.collapse(node, false);
    node.param = newNode(seg, true);
    node.paramSeeded = true;
    this.nodes++;
    return node.param;
  }
}
