import { SIDE_BY_SIDE_CSS } from '../report/side-by-side.js';

/** The dashboard's one stylesheet, served as /ui/dashboard.css (the page's CSP allows no inline style). */
export const DASHBOARD_CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --accent: #0969da; --danger: #cf222e; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 20px; margin: 0 0 12px; } h2 { font-size: 15px; margin: 20px 0 8px; }
header { display: flex; align-items: center; gap: 12px; padding: 8px 20px; border-bottom: 1px solid var(--line); background: var(--bg); position: sticky; top: 0; z-index: 1; }
header .brand { font-weight: 700; color: var(--fg); font-size: 16px; }
header nav { display: flex; gap: 2px; }
header nav a { padding: 4px 10px; border-radius: 6px; color: var(--fg); }
header nav a[aria-current="page"] { background: #fff; box-shadow: 0 0 0 1px var(--line); font-weight: 600; }
.spacer { flex: 1; }
.updated, .who, .note, .card-sub, .reasons-inline, .list-meta { color: var(--muted); font-size: 12px; }
main { padding: 16px 20px 40px; max-width: 1280px; }
button, select, input, textarea { font: inherit; }
button { padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
button:hover:not(:disabled) { background: var(--bg); } button:disabled { opacity: .5; cursor: default; }
button.primary { background: #1f883d; border-color: #1a7f37; color: #fff; } button.danger { color: var(--danger); }
button.primary:hover:not(:disabled) { background: #1a7f37; }
button.link { border: 0; background: none; font-size: 16px; line-height: 1; }
input, select, textarea { padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
textarea { width: 100%; resize: vertical; }
label { display: block; margin: 8px 0; } label > input:not([type=checkbox]), label > select, label > textarea { display: block; margin-top: 2px; }
label.check { display: flex; gap: 6px; align-items: center; }
.toolbar { display: flex; gap: 8px; align-items: center; margin: 0 0 8px; } .toolbar input[type=search] { width: 320px; }
.flash > div { margin: 10px 20px 0; padding: 8px 12px; border-radius: 6px; display: flex; gap: 8px; align-items: center; justify-content: space-between; max-width: 1240px; }
.flash-ok { background: #dafbe1; border: 1px solid #aceebb; } .flash-error { background: #ffebe9; border: 1px solid #ffcecb; }
.problem { color: var(--danger); } .problem-title { font-weight: 600; margin: 8px 0 4px; }
.empty { color: var(--muted); font-style: italic; }
.paused { border: 1px solid #d4a72c; background: #fff8c5; border-radius: 6px; padding: 8px 12px; margin: 0 0 12px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 200px; }
.card-label { color: var(--muted); font-size: 12px; } .card-value { font-size: 26px; font-weight: 600; }
.by-mode { display: flex; gap: 8px; flex-wrap: wrap; font-size: 12px; }
.chart-box { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; max-width: 760px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .grid { stroke: #eaeef2; } svg.chart .tick { fill: var(--muted); font-size: 11px; }
.legend { list-style: none; display: flex; gap: 14px; padding: 0; margin: 4px 0; font-size: 12px; } .legend svg { margin-right: 4px; vertical-align: -1px; }
table.data { border-collapse: collapse; width: 100%; }
table.data th, table.data td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.data th { font-size: 12px; color: var(--muted); font-weight: 600; }
table.data th.sortable button { border: 0; background: none; padding: 0; font-weight: 600; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
.num { text-align: right !important; font-variant-numeric: tabular-nums; }
td.message { max-width: 480px; } .actions-cell { white-space: nowrap; } .actions-cell button + button { margin-left: 4px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; line-height: 18px; border: 1px solid transparent; white-space: nowrap; }
.mode-legacy { background: #eaeef2; color: #424a53; } .mode-shadow { background: #ddf4ff; color: #0550ae; }
.mode-canary { background: #fff8c5; color: #7d4e00; } .mode-service { background: #dafbe1; color: #116329; } .mode-retired { background: #fbefff; color: #6e40c9; }
.readiness-ready { background: #1f883d; color: #fff; } .readiness-not-ready { background: #cf222e; color: #fff; } .readiness-unknown { background: #eaeef2; color: #424a53; border-color: var(--line); }
.verdict-regression { background: #ffebe9; color: #a40e26; border-color: #ffcecb; } .verdict-noise { background: #eaeef2; color: #424a53; } .verdict-unknown { background: #fff8c5; color: #7d4e00; }
.in-force { background: #ddf4ff; color: #0550ae; margin-left: 6px; } .forced { background: #ffebe9; color: #a40e26; margin-left: 6px; }
.split { display: grid; grid-template-columns: 300px 1fr; gap: 20px; align-items: start; }
.endpoint-list ul { list-style: none; margin: 0; padding: 0; border: 1px solid var(--line); border-radius: 8px; }
.endpoint-list li { border-bottom: 1px solid var(--line); } .endpoint-list li:last-child { border-bottom: 0; }
.endpoint-list li a { display: block; padding: 6px 10px; color: var(--fg); } .endpoint-list li.current { background: #ddf4ff; }
.endpoint-list .list-meta { display: block; }
.endpoint-detail h2 { margin-top: 0; } .reasons { margin: 4px 0 12px; padding-left: 20px; color: var(--danger); }
.group { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 10px; }
.group-head { display: flex; gap: 10px; align-items: center; padding: 6px 10px; background: var(--bg); border-radius: 8px; flex-wrap: wrap; }
.group-path { font-weight: 600; } .kind, .counts { color: var(--muted); font-size: 12px; }
.samples { padding: 8px 10px; } .sample-tabs { margin-bottom: 6px; color: var(--muted); font-size: 12px; }
.sample-tabs button { margin-right: 4px; padding: 0 8px; } .sample-tabs button[aria-selected="true"] { background: #ddf4ff; border-color: #54aeff; }
.sample-meta { margin: 0 0 6px; color: var(--muted); } .curl-buttons { margin-top: 8px; display: flex; gap: 6px; }
pre.curl { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px; white-space: pre-wrap; word-break: break-all; user-select: all; }
pre.diff { border: 1px solid var(--line); border-radius: 6px; padding: 8px 0; overflow-x: auto; }
pre.diff .line { display: block; padding: 0 10px; } .op-add { background: #dafbe1; } .op-del { background: #ffebe9; } .op-hunk { color: var(--muted); background: #ddf4ff; }
dialog.modal { border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; width: min(640px, 92vw); box-shadow: 0 8px 24px rgba(140,149,159,.3); }
dialog.modal::backdrop { background: rgba(31,35,40,.35); }
dialog.modal h2 { margin-top: 0; } .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 12px; }
.row { display: flex; gap: 16px; } .dialog-text { margin-bottom: 8px; }
table.evidence { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
table.evidence th, table.evidence td { padding: 3px 10px 3px 0; text-align: left; border-bottom: 1px solid #eaeef2; } table.evidence .needs { color: var(--muted); }
.refusal { border-left: 3px solid var(--danger); padding-left: 10px; color: var(--fg); }
.sign-in { max-width: 380px; margin: 80px auto; padding: 24px; border: 1px solid var(--line); border-radius: 10px; }
.sign-in input { width: 100%; }
${SIDE_BY_SIDE_CSS}`;
