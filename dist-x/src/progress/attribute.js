import { pathSegments } from '../rules/normalise-path.js';
/**
 * The endpoint a request counts towards. A route's own template says it
 * best when it names every segment; a `**` route covers many endpoints, so
 * the learner templates the path, and the route's prefix is kept as written
 * (the team wrote `/api/users/**`, so `/api/users/…` is how they think of it,
 * even where the learner would have collapsed `users` into `{param}`).
 *
 * HEAD stays HEAD: it is served separately by most stacks, and a migration
 * that forgets it breaks link checkers and monitors, so it shows as its own row.
 */
export function endpointFor(method, rawPath, routeTemplate, learner) {
    const m = method.toUpperCase();
    if (routeTemplate !== null && !routeTemplate.endsWith('**'))
        return { method: m, path: routeTemplate };
    const learned = learner.template(pathSegments(rawPath));
    if (routeTemplate === null)
        return { method: m, path: learned };
    return { method: m, path: keepRoutePrefix(routeTemplate, learned) };
}
/** `/api/users/**` + `/api/{param}/{id}/posts` → `/api/users/{id}/posts`. */
function keepRoutePrefix(routeTemplate, learned) {
    const prefix = routeTemplate.split('/').filter((s) => s !== '' && s !== '**');
    const parts = learned.split('/').filter((s) => s !== '');
    // The learner's overflow can end above the route's prefix; the route's
    // template is then the most precise thing we know.
    const star = parts.indexOf('**');
    if (parts.length < prefix.length || (star !== -1 && star < prefix.length))
        return routeTemplate;
    return '/' + [...prefix, ...parts.slice(prefix.length)].join('/');
}
//# sourceMappingURL=attribute.js.map