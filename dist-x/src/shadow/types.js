/** The words of shadow comparison, as the issue defines them. */
export const OUTCOMES = [
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
];
//# sourceMappingURL=types.js.map