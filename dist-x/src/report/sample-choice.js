/**
 * The samples a report shows for an endpoint: those of its difference
 * groups, most frequent group first, each once, a few at most. The CLI
 * fetches exactly these and the HTML renderer shows exactly these, so
 * neither asks for a sample the other would drop.
 */
export const SAMPLES_PER_ENDPOINT = 6;
export function samplesToShow(e, cap = SAMPLES_PER_ENDPOINT) {
    const ids = [];
    // Round-robin over the groups, so that every group gets a sample before any gets a second one.
    const longest = Math.max(0, ...e.differences.map((d) => d.samples.length));
    for (let i = 0; i < longest && ids.length < cap; i++) {
        for (const d of e.differences) {
            const id = d.samples[i];
            if (id !== undefined && !ids.includes(id) && ids.length < cap)
                ids.push(id);
        }
    }
    return ids;
}
/** How many distinct samples the endpoint's groups name, shown or not. */
export function samplesNamed(e) {
    return new Set(e.differences.flatMap((d) => d.samples)).size;
}
//# sourceMappingURL=sample-choice.js.map