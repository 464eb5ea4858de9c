import { createHash } from 'node:crypto';

/**
 * A readable page of /v1/docs that loads nothing from elsewhere: the pilot runs on machines with
 * no reliable internet, and a CDN script would run with access to whatever the page can reach.
 * The Content-Security-Policy allows exactly this script and style (by hash) and fetches from here.
 */
const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
details{margin:.4rem 0;border:1px solid #ddd;border-radius:4px;padding:.3rem .6rem}
summary{cursor:pointer}code,pre{font:13px ui-monospace,monospace}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:30rem}
.m{display:inline-block;min-width:3.5rem;font-weight:600;text-transform:uppercase}
.open{color:#070;font-size:.85em;margin-left:.5rem}`;

const SCRIPT = `
(async function () {
  const root = document.getElementById('api');
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const pre = (value) => el('pre', JSON.stringify(value, null, 2));
  let doc;
  try { doc = await (await fetch('/v1/docs')).json(); } catch (err) { root.textContent = 'could not load /v1/docs: ' + err; return; }
  document.title = doc.info.title;
  root.append(el('h1', doc.info.title + ' ' + doc.info.version), el('p', doc.info.description));
  const byTag = new Map(doc.tags.map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) (byTag.get(op.tags[0]) || byTag.set(op.tags[0], []).get(op.tags[0])).push([method, path, op]);
  }
  for (const tag of doc.tags) {
    root.append(el('h2', tag.name), el('p', tag.description));
    for (const [method, path, op] of byTag.get(tag.name) || []) {
      const d = el('details'); const s = el('summary');
      s.append(el('span', method), ' ', el('code', path), ' — ' + op.summary);
      s.firstChild.className = 'm';
      if (op.security && op.security.length === 0) { const o = el('span', 'no key'); o.className = 'open'; s.append(o); }
      d.append(s);
      if (op.description) d.append(el('p', op.description));
      if (op.parameters) d.append(el('h4', 'Parameters'), pre(op.parameters));
      if (op.requestBody) d.append(el('h4', 'Request body'), pre(op.requestBody));
      d.append(el('h4', 'Responses'), pre(op.responses));
      root.append(d);
    }
  }
  const schemas = el('details'); schemas.append(el('summary', 'Schemas'), pre(doc.components.schemas));
  root.append(el('h2', 'Schemas'), schemas);
})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const DOCS_UI_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>PEIL ledger API</title><style>${STYLE}</style></head>
<body><main id="api">Loading /v1/docs…</main><script>${SCRIPT}</script></body></html>
`;

export const DOCS_UI_CSP = `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
