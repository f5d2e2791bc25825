import type { Child } from './dom.js';

/** What a page gets from the shell, and what it gives back. */
export interface PageContext {
  /** The page's own element; the page owns everything in it. */
  root: HTMLElement;
  /** The hash after the page's name: `#/diffs/GET%20%2Fa` → ['GET /a']. */
  params: string[];
  /** The time window chosen in the header: `1h`, `24h`, `7d`, `all`. */
  since(): string;
  /** A message at the top of the page that stays until the next one. */
  flash(message: Child, kind?: 'ok' | 'error'): void;
  go(hash: string): void;
  /** The page changed something: every page reloads its data now, not at the next poll. */
  changed(): void;
}

export interface Page {
  /** Fetches the page's data and draws it; called again whenever the data may have changed. */
  load(): Promise<void>;
}

export type PageFactory = (ctx: PageContext) => Page;
