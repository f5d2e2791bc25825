/** The words of shadow comparison, as the issue defines them. */

export type Outcome =
  | 'match'
  | 'differ'
  | 'shadow-timeout'
  | 'shadow-refused'
  | 'shadow-reset'
  | 'too-large'
  | 'unparseable'
  | 'skipped-unsafe'
  | 'dropped-budget'
  | 'dropped-queue'
  | 'dropped-circuit';

export const OUTCOMES: readonly Outcome[] = [
  'match',
  'differ',
  'shadow-timeout',
  'shadow-refused',
  'shadow-reset',
  'too-large',
  'unparseable',
  'skipped-unsafe',
  'dropped-budget',
  'dropped-queue',
  'dropped-circuit',
];

/** Always seen from legacy's side: `missing` = legacy has it, the other side does not; `extra` = only the other side has it. */
export type DiffKind = 'changed' | 'missing' | 'extra' | 'type' | 'order' | 'length';

export interface Difference {
  /** `status`, `header:<name>`, `body`, or a JSON path such as `$.items[3].price`. */
  path: string;
  kind: DiffKind;
}

export interface CapturedResponse {
  status: number;
  /** Raw flat list as received: name, value, name, value… */
  headers: string[];
  body: Buffer;
  truncated: boolean;
}
