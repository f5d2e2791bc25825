/** Outcomes that mean no comparison was attempted: they are counted, not stored as rows. */
export const NOT_ATTEMPTED = new Set(['skipped-unsafe', 'dropped-budget', 'dropped-queue']);
//# sourceMappingURL=shadow-record.js.map