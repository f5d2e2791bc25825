import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml } from '../report/side-by-side.js';
import { builtRoot, ENTRY, moduleGraph } from './dashboard-assets.js';
import { DASHBOARD_CSS } from './dashboard-style.js';
/**
 * The dashboard at `/` on the admin port: one HTML shell, one stylesheet
 * and the built browser modules, all from the package (no CDN: it works
 * offline and behind any firewall). The shell and the modules hold no
 * data and need no token; every piece of data comes from /api with it.
 */
// Nothing but this origin's own files: no inline script, no inline style, no frames, no other hosts.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
function secure(res) {
    return res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-cache' });
}
function shell(modules) {
    // modulepreload: the browser fetches every module at once instead of one import level at a time.
    const preload = modules.map((m) => `<link rel="modulepreload" href="/ui/${escapeHtml(m)}">`).join('\n');
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>strangler</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/dashboard.css">
${preload}
<script type="module" src="/ui/${ENTRY}"></script>
</head>
<body><div id="app"><noscript>The dashboard needs JavaScript. The JSON API is at /api (see the README).</noscript></div></body>
</html>
`;
}
const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>strangler</title></head><body>
<h1>The dashboard is not built</h1><p>Its browser modules are missing from dist/. Run <code>npm run build</code> in the strangler package, then reload. The JSON API under /api works meanwhile.</p></body></html>`;
export function addDashboard(app) {
    // The module graph is read again only when a build replaced the entry point.
    let cached;
    const assets = () => {
        const root = builtRoot();
        if (!root)
            return undefined;
        const mtime = statSync(path.join(root, ENTRY)).mtimeMs;
        if (!cached || cached.root !== root || cached.mtime !== mtime)
            cached = { root, mtime, modules: moduleGraph(root) };
        return cached;
    };
    app.get(['/', '/index.html'], (_req, res) => {
        const a = assets();
        if (!a) {
            secure(res).status(503).type('html').send(NOT_BUILT);
            return;
        }
        secure(res).type('html').send(shell([...a.modules].sort()));
    });
    app.get('/ui/dashboard.css', (_req, res) => {
        secure(res).type('css').send(DASHBOARD_CSS);
    });
    app.get('/ui/*file', (req, res) => {
        const a = assets();
        const file = [].concat(req.params.file).join('/');
        if (!a || !a.modules.has(file)) {
            res.status(404).json({ error: `no dashboard file ${file}` });
            return;
        }
        secure(res).type('text/javascript').send(readFileSync(path.join(a.root, file)));
    });
}
//# sourceMappingURL=dashboard.js.map