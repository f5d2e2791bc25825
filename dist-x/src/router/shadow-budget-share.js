import { ShadowSchema } from '../rules/schema.js';
const DEFAULTS = ShadowSchema.parse({});
/**
 * The rules one of `workers` data-plane processes runs with: each route's
 * shadow budget (`maxPerSecond`) divided by the number of workers. Every
 * worker keeps its own token bucket, and connections are dealt round-robin,
 * so the copies of all workers together stay within the route's budget.
 * A shadow route without a `shadow` block gets the default budget, divided
 * too. Nothing else changes; with one worker the rules come back as given.
 */
export function shareShadowBudgets(rules, workers) {
    if (workers <= 1)
        return rules;
    return {
        ...rules,
        routes: rules.routes.map((route) => {
            if (!route.shadow && route.mode !== 'shadow')
                return route;
            const shadow = route.shadow ?? DEFAULTS;
            return { ...route, shadow: { ...shadow, maxPerSecond: shadow.maxPerSecond / workers } };
        }),
    };
}
//# sourceMappingURL=shadow-budget-share.js.map