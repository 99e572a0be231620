// DocFlow dashboard: plain JavaScript, no build step. Live over SSE (/api/v1/dashboard/events), read with fetch so that
// the API key travels as a header (EventSource cannot send one, and a key in the URL would land in logs).
'use strict';

const api = 'api/v1/';
const $ = (s) => document.querySelector(s);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const num = (n) => (n ?? 0).toLocaleString('en-US');
const ms = (v) => (v == null ? '–' : v >= 1000 ? (v / 1000).toFixed(1) + ' s' : Math.round(v) + ' ms');
const money = (v, cur) => (v == null ? '–' : (v < 0.01 ? v.toFixed(5) : v.toFixed(4)) + ' ' + cur);
const pct = (v) => (v * 100).toFixed(v > 0 && v < 0.1 ? 2 : 1) + ' %';
const time = (t) => (t ? new Date(t).toLocaleTimeString('en-GB') : '–');
const stamp = (t) => (t ? new Date(t).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '–');
function age(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + ' s';
  if (seconds < 3600) return Math.floor(seconds / 60) + ' min';
  if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  return Math.floor(seconds / 86400) + ' d ' + Math.floor((seconds % 86400) / 3600) + ' h';
}
const plural = (n, word) => `${num(n)} ${word}${n === 1 ? '' : 's'}`;
const badge = (s) => `<span class="badge ${esc(s)}">${esc(s)}</span>`;
// ---- sign-in: an API key (sent as X-Api-Key) or an OIDC/JWT bearer token (sent as Authorization: Bearer), kept in
// sessionStorage (this tab only) ------------------------------------------------------------------------------------
const keyItem = 'docflow.credential';
let me = null;
const can = { operate: false, upload: false, content: false, metadata: false };
// What the form was given: a key (dfk_…) or a token, with or without a leading "Bearer ".
function normaliseCredential(text) {
  const t = (text || '').trim();
  return /^bearer\s+/i.test(t) ? t.replace(/^bearer\s+/i, '').trim() : t;
}
function withCredential(headers, credential) {
  if (!credential) return headers;
  if (credential.startsWith('dfk_')) headers.set('X-Api-Key', credential);
  else headers.set('Authorization', `Bearer ${credential}`);
  return headers;
}
function authFetch(url, options = {}) {
  const headers = withCredential(new Headers(options.headers || {}), sessionStorage.getItem(keyItem));
  return fetch(url, { ...options, headers }).then((r) => {
    if (r.status === 401 && me) signOut('Your key or token is no longer accepted (revoked or expired?); sign in again.');
    return r;
  });
}
async function getJson(url) {
  const r = await authFetch(url, { headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}
// Server-Sent Events over fetch: calls on(event, data) per message until the stream ends or signal aborts.
async function sse(url, on, signal) {
  const r = await authFetch(url, { headers: { Accept: 'text/event-stream' }, signal });
  if (!r.ok || !r.body) throw new Error(`${url}: ${r.status}`);
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let m;
    while ((m = buf.match(/\r?\n\r?\n/))) {
      const block = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      let event = 'message'; const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) on(event, data.join('\n'));
    }
  }
}
function signOut(message) {
  sessionStorage.removeItem(keyItem);
  if (message) sessionStorage.setItem('docflow.signInMessage', message);
  location.reload();
}
function rows(tbody, html, cols, empty) {
  tbody.innerHTML = html.length ? html.join('') : `<tr class="empty"><td colspan="${cols}">${empty}</td></tr>`;
  applyWidths(tbody);
}
// The Content-Security-Policy allows no inline style attributes: widths travel as data-w and are set through the CSSOM.
function applyWidths(root) {
  for (const el of root.querySelectorAll('[data-w]')) el.style.width = `${el.dataset.w}%`;
}

// ---- overview -----------------------------------------------------------------------------------------------
let last = null;
function renderOverview(o) {
  last = o;
  $('#mode').textContent = o.mode;
  $('#uptime').textContent = age(o.uptimeSeconds);
  const q = o.queues, h = o.lastHour, c = o.cost;
  $('#k-depth').textContent = num(q.depth);
  $('#k-inflight').textContent = `${num(q.inFlight)} in flight · ${num(q.delayed)} delayed`;
  const live = o.workers.filter((w) => !w.stale);
  $('#k-workers').textContent = `${live.length}` + (live.length < o.workers.length ? ` / ${o.workers.length}` : '');
  $('#k-slots').textContent = `${live.reduce((a, w) => a + w.busy, 0)} of ${live.reduce((a, w) => a + w.slots, 0)} slots busy`;
  $('#k-docs').textContent = num(h.documents);
  $('#k-pages').textContent = plural(h.pages, 'page');
  $('#k-errors').textContent = pct(h.errorRate);
  $('#k-errors').style.color = h.errorRate > 0.05 ? 'var(--bad)' : '';
  $('#k-failed').textContent = `${num(h.failed)} failed · ${plural(q.deadLetters, 'dead letter')}`;
  $('#k-latency').textContent = `${ms(h.p50Ms)} / ${ms(h.p95Ms)}`;
  $('#k-cost').textContent = money(c.perDocument, c.currency);
  $('#k-cloud').textContent = c.cloudPerDocument == null
    ? `${c.computePerHour} ${c.currency}/h × ${c.machines} machine(s)`
    : `cloud: ${money(c.cloudPerDocument, c.currency)} (${c.cloudPer1000Pages}/1000 pages)`;

  rows($('#queues tbody'), q.lanes.map((l) => `<tr><td>${esc(l.route)}</td><td>${esc(l.priority)}</td>
    <td class="n">${num(l.depth)}</td><td class="n">${num(l.inFlight)}</td><td class="n">${l.depth ? age(l.oldestAgeSeconds) : '–'}</td></tr>`), 5, 'no lanes');
  $('#queues-foot').textContent = `total ${num(q.depth)} waiting, ${num(q.inFlight)} in flight, ${num(q.delayed)} waiting to retry, ${num(q.deadLetters)} dead letters`;

  rows($('#workers tbody'), o.workers.map((w) => `<tr class="${w.stale ? 'stale' : ''}">
    <td><span class="mono">${esc(w.id)}</span><br><small class="muted">up ${age((Date.parse(o.generatedAt) - Date.parse(w.startedAt)) / 1000)}</small></td>
    <td>${esc(w.routes.join(', '))}</td><td class="n">${w.busy} / ${w.slots}</td><td class="n">${num(w.processed)}</td><td class="n">${num(w.failed)}</td>
    <td class="n">${age(w.heartbeatAgeSeconds)} ago</td><td>${badge(w.stale ? 'stale' : 'live')}</td></tr>`), 7, 'no worker has reported (start one with docflow worker)');

  // Engines (local and cloud): shown once a cloud engine is configured or has produced documents.
  const engines = o.engines || [];
  $('#engines-card').hidden = engines.length === 0 || !can.operate;
  rows($('#engines tbody'), engines.map((e) => `<tr><td>${esc(e.name)}</td>
    <td>${e.breaker == null ? '<small class="muted">on the workers\' /metrics</small>' : badge(e.breaker)}</td>
    <td class="n">${num(e.documents)}</td><td class="n">${num(e.pages)}</td><td class="n">${money(e.costPerDocument, e.currency)}</td></tr>`), 5, 'no engine');

  drawCharts(h.perMinute);
  if (q.deadLetters !== deadCount) loadDeadLetters();
}

// ---- charts (uPlot) -------------------------------------------------------------------------------------------
let throughputChart = null, latencyChart = null;
function chartOptions(el, series) {
  return {
    width: Math.max(el.clientWidth, 300), height: 200, series: [{}, ...series],
    legend: { show: true, live: false },
    axes: [{ stroke: '#6b7384', grid: { stroke: '#eef0f4' } }, { stroke: '#6b7384', grid: { stroke: '#eef0f4' }, size: 50 }],
    scales: { x: { time: true } }, cursor: { drag: { x: false, y: false } },
  };
}
function drawCharts(perMinute) {
  const xs = perMinute.map((m) => Date.parse(m.minute) / 1000);
  const tp = [xs, perMinute.map((m) => m.documents), perMinute.map((m) => m.pages), perMinute.map((m) => m.failed)];
  const lat = [xs, perMinute.map((m) => m.p50Ms), perMinute.map((m) => m.p95Ms)];
  const tEl = $('#chart-throughput'), lEl = $('#chart-latency');
  if (!throughputChart) {
    throughputChart = new uPlot(chartOptions(tEl, [
      { label: 'documents', stroke: '#2f6fde', width: 2, fill: 'rgba(47,111,222,.08)' },
      { label: 'pages', stroke: '#1a8f5a', width: 1.5 },
      { label: 'failed', stroke: '#c8372d', width: 1.5 }]), tp, tEl);
    latencyChart = new uPlot(chartOptions(lEl, [
      { label: 'p50 ms', stroke: '#2f6fde', width: 2, spanGaps: true, points: { show: true, size: 5 } },
      { label: 'p95 ms', stroke: '#e07b00', width: 2, spanGaps: true, points: { show: true, size: 5 } }]), lat, lEl);
    new ResizeObserver(() => {
      throughputChart.setSize({ width: Math.max(tEl.clientWidth, 300), height: 200 });
      latencyChart.setSize({ width: Math.max(lEl.clientWidth, 300), height: 200 });
    }).observe(tEl);
  } else {
    throughputChart.setData(tp);
    latencyChart.setData(lat);
  }
}

// ---- batches, jobs, dead letters ------------------------------------------------------------------------------
function progress(b) {
  const part = (n) => (b.total ? (100 * n) / b.total : 0);
  const done = b.succeeded + b.failed;
  return `<div class="progress" data-batch="${esc(b.id)}"><i class="ok" data-w="${part(b.succeeded)}"></i><i class="bad" data-w="${part(b.failed)}"></i>` +
    `<i class="run" data-w="${part(b.processing)}"></i><span>${done} / ${b.total}${b.failed ? ` · ${b.failed} failed` : ''}</span></div>`;
}
const batchRow = (b) => `<tr class="click" data-batch-row="${esc(b.id)}"><td class="mono">${esc(b.id.slice(0, 12))}</td><td>${stamp(b.createdAt)}</td>
  <td>${progress(b)}</td><td>${badge(b.status)}</td></tr>`;
const batches = new Map();
async function loadBatches() {
  const page = await getJson(`${api}batches?limit=8`);
  for (const b of page.items) batches.set(b.id, b);
  renderBatches(page.items.map((b) => b.id));
}
let batchOrder = [];
function renderBatches(order) {
  if (order) batchOrder = order;
  rows($('#batches tbody'), batchOrder.map((id) => batchRow(batches.get(id))), 4, 'no batch yet: upload some documents');
}
function followBatch(id) {
  // The batch's own stream sends every change at once, faster than the 2 s overview.
  const stop = new AbortController();
  sse(`${api}batches/${encodeURIComponent(id)}/events`, (event, data) => {
    if (event !== 'batch') return;
    const b = JSON.parse(data);
    batches.set(b.id, b);
    if (!batchOrder.includes(b.id)) batchOrder.unshift(b.id);
    renderBatches();
    if (openBatch === b.id) showBatchDocuments(b.id);
    if (b.status === 'completed') { stop.abort(); loadJobs(); }
  }, stop.signal).catch(() => {});
}
let openBatch = null;
async function showBatchDocuments(id) {
  openBatch = id;
  const docs = await getJson(`${api}batches/${encodeURIComponent(id)}/documents`);
  $('#batch-docs').innerHTML = `<table><thead><tr><th>Document of ${esc(id.slice(0, 12))}</th><th>Status</th><th class="n">Pages</th><th>Error</th></tr></thead><tbody>` +
    docs.map((d) => `<tr class="click" data-doc="${esc(d.id)}"><td>${esc(d.fileName)}</td><td>${badge(d.status)}</td><td class="n">${d.pages ?? '–'}</td>
      <td class="reason">${esc(d.error ? d.error.code + ': ' + d.error.message : '')}</td></tr>`).join('') + '</tbody></table>';
}

async function loadJobs() {
  const status = $('#job-status').value;
  const page = await getJson(`${api}jobs?limit=12${status ? '&status=' + status : ''}`);
  rows($('#jobs tbody'), page.items.map((j) => `<tr class="click" data-doc="${esc(j.id)}" title="${esc(j.error ? j.error.message : j.id)}">
    <td>${esc(j.fileName)}</td><td>${badge(j.status)}</td><td class="n">${j.pages ?? '–'}</td><td class="n">${j.durationMs ?? '–'}</td><td>${time(j.createdAt)}</td></tr>`),
    5, 'no documents');
}

let deadCount = -1;
async function loadDeadLetters() {
  const list = await getJson(`${api}dead-letters?max=50`);
  deadCount = list.length;
  rows($('#dead tbody'), list.map((d) => `<tr><td>${esc(d.fileName ?? d.jobId)}<br><small class="mono muted">${esc(d.route)} · ${esc(d.priority)}</small></td>
    <td class="reason">${esc(d.reason)}</td><td class="n">${d.attempt}</td><td>${time(d.at)}</td>
    <td><button class="small primary" data-requeue="${esc(d.jobId)}">Requeue</button> <button class="small danger" data-purge="${esc(d.jobId)}">Purge</button></td></tr>`),
    5, 'no dead letters');
}

// The webhook delivery log (docs/webhooks.md): the latest deliveries, the attempts and the next retry of each.
async function loadWebhooks() {
  const list = await getJson(`${api}webhooks/deliveries?limit=10`);
  rows($('#webhooks tbody'), list.map((d) => `<tr title="${esc(d.url)}"><td>${esc(d.type)}<br><small class="mono muted">${esc(d.id.slice(0, 16))} · batch ${esc(d.batchId.slice(0, 12))}</small></td>
    <td>${badge(d.status === 'delivered' ? 'succeeded' : d.status === 'pending' ? 'queued' : 'failed')}</td><td class="n">${d.attempts}</td>
    <td class="reason">${d.lastStatusCode ?? ''} ${esc(d.lastError ?? (d.status === 'delivered' ? 'delivered' : ''))}</td><td>${d.nextAttemptAt ? time(d.nextAttemptAt) : '–'}</td></tr>`),
    5, 'no webhook deliveries');
}

document.addEventListener('click', async (e) => {
  const t = e.target.closest('[data-requeue],[data-purge],[data-doc],[data-batch-row]');
  if (!t) return;
  if (t.dataset.requeue) {
    t.disabled = true;
    await authFetch(`${api}dead-letters/${encodeURIComponent(t.dataset.requeue)}/requeue`, { method: 'POST' });
    await loadDeadLetters();
    loadJobs();
  } else if (t.dataset.purge) {
    if (!confirm('Delete this dead letter for good?')) return;
    await authFetch(`${api}dead-letters/${encodeURIComponent(t.dataset.purge)}`, { method: 'DELETE' });
    loadDeadLetters();
  } else if (t.dataset.doc) {
    location.hash = `#doc/${t.dataset.doc}`;
  } else if (t.dataset.batchRow) {
    showBatchDocuments(t.dataset.batchRow);
  }
});
$('#job-status').addEventListener('change', loadJobs);

$('#upload').addEventListener('submit', async (e) => {
  e.preventDefault();
  const files = $('#files').files;
  if (!files.length) return;
  const form = new FormData();
  for (const f of files) form.append('files', f, f.name);
  form.append('priority', $('#priority').value);
  $('#upload-msg').textContent = `uploading ${files.length} file(s)…`;
  const r = await authFetch(`${api}batches`, { method: 'POST', body: form });
  const body = await r.json();
  if (!r.ok) { $('#upload-msg').textContent = body.detail || `upload failed (${r.status})`; return; }
  $('#upload-msg').textContent = `batch ${body.batchId.slice(0, 12)} accepted`;
  $('#upload').reset();
  followBatch(body.batchId);
  showBatchDocuments(body.batchId);
  loadJobs();
});

// ---- live -----------------------------------------------------------------------------------------------------
let tick = 0;
function onLive() {
  $('#live').className = 'live on';
  $('#live').textContent = 'live';
}
async function connect() {
  if (!can.operate) {
    // Roles without the overview (reader, submitter) follow their batches and documents by polling.
    onLive();
    setInterval(() => { loadBatches().catch(() => {}); loadJobs().catch(() => {}); }, 4000);
    return;
  }
  for (;;) {
    try {
      await sse(`${api}dashboard/events`, (event, data) => {
        if (event !== 'overview') return;
        onLive();
        renderOverview(JSON.parse(data));
        if (tick++ % 2 === 0) { loadBatches().catch(() => {}); loadJobs().catch(() => {}); loadWebhooks().catch(() => {}); }
      });
    } catch { /* reconnect below */ }
    $('#live').className = 'live off'; $('#live').textContent = 'reconnecting';
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// ---- document view --------------------------------------------------------------------------------------------
const doc = { id: null, result: null, page: 1 };
function anchorText(text, layout) {
  const segs = layout?.textAnchor?.textSegments;
  if (!segs) return layout?.textAnchor?.content ?? '';
  return segs.map((s) => text.slice(Number(s.startIndex ?? 0), Number(s.endIndex ?? 0))).join('').trim();
}
function poly(layout, cls, title) {
  const v = layout?.boundingPoly?.normalizedVertices;
  if (!v || v.length < 3) return '';
  const pts = v.map((p) => `${p.x ?? 0},${p.y ?? 0}`).join(' ');
  return `<polygon class="${cls}" points="${pts}">${title ? `<title>${esc(title)}</title>` : ''}</polygon>`;
}
function drawPage() {
  const d = doc.result, text = d.text ?? '';
  const pages = d.pages ?? [];
  const p = pages.find((x) => x.pageNumber === doc.page) ?? pages[doc.page - 1] ?? {};
  $('#doc-page').textContent = doc.page;
  $('#doc-pages').textContent = Math.max(pages.length, 1);
  const src = `${api}documents/${encodeURIComponent(doc.id)}/pages/${doc.page}/image`;
  if ($('#page-img').dataset.src !== src) {
    // An <img> cannot send the key: fetch the image and show it from a blob URL.
    delete $('#page').dataset.loaded;
    $('#page-img').dataset.src = src;
    authFetch(src).then((r) => (r.ok ? r.blob() : null)).then((blob) => {
      if (!blob || $('#page-img').dataset.src !== src) return;
      const old = $('#page-img').getAttribute('src');
      if (old?.startsWith('blob:')) URL.revokeObjectURL(old);
      $('#page-img').src = URL.createObjectURL(blob);
    }).catch(() => {});
  }
  const parts = [];
  if ($('#show-tokens').checked) for (const t of p.tokens ?? []) parts.push(poly(t.layout, 'tok', anchorText(text, t.layout)));
  if ($('#show-tables').checked) for (const tb of p.tables ?? []) {
    parts.push(poly(tb.layout, 'tbl', 'table'));
    for (const r of [...(tb.headerRows ?? []), ...(tb.bodyRows ?? [])]) for (const c of r.cells ?? []) parts.push(poly(c.layout, 'cell', anchorText(text, c.layout)));
  }
  if ($('#show-fields').checked) (p.formFields ?? []).forEach((f, i) => {
    parts.push(poly(f.fieldName, `key f${i}`, anchorText(text, f.fieldName)));
    parts.push(poly(f.fieldValue, `val f${i}`, anchorText(text, f.fieldValue)));
  });
  $('#overlay').innerHTML = parts.join('');

  rows($('#doc-fields tbody'), (p.formFields ?? []).map((f, i) => `<tr data-hl="f${i}"><td>${esc(anchorText(text, f.fieldName))}</td><td>${esc(anchorText(text, f.fieldValue))}</td></tr>`),
    2, 'no form fields on this page');
  rows($('#doc-entities tbody'), (d.entities ?? []).map((en) => `<tr><td>${esc(en.type)}</td><td>${esc(en.mentionText)}` +
    `${en.normalizedValue?.text && en.normalizedValue.text !== en.mentionText ? ` <small class="muted">→ ${esc(en.normalizedValue.text)}</small>` : ''}</td></tr>`),
    2, 'no entities');
  $('#doc-tables').innerHTML = (p.tables ?? []).map((tb) => {
    const row = (r, tag) => `<tr>${(r.cells ?? []).map((c) => `<${tag}>${esc(anchorText(text, c.layout))}</${tag}>`).join('')}</tr>`;
    return `<table>${(tb.headerRows ?? []).map((r) => row(r, 'th')).join('')}${(tb.bodyRows ?? []).map((r) => row(r, 'td')).join('')}</table>`;
  }).join('') || '<p class="muted">no tables on this page</p>';
}
document.addEventListener('mouseover', (e) => {
  const r = e.target.closest('[data-hl]');
  document.querySelectorAll('#overlay .hl').forEach((x) => x.classList.remove('hl'));
  if (r) document.querySelectorAll(`#overlay .${r.dataset.hl}`).forEach((x) => x.classList.add('hl'));
});
$('#page-img').addEventListener('load', () => { $('#page').dataset.loaded = `${doc.id}/${doc.page}`; });
async function openDocument(id) {
  doc.id = id; doc.page = 1;
  // Never show the previous document's page under this one's boxes while they load.
  $('#page-img').removeAttribute('src');
  delete $('#page-img').dataset.src;
  delete $('#page').dataset.loaded;
  $('#overlay').innerHTML = '';
  $('#overview-view').hidden = true;
  $('#doc-view').hidden = false;
  $('#doc-downloads').hidden = true;
  const job = await getJson(`${api}documents/${encodeURIComponent(id)}`);
  doc.fileName = job.fileName;
  $('#doc-title').textContent = job.fileName;
  $('#doc-meta').innerHTML = `${badge(job.status)} ${esc(job.mimeType ?? '')} · ${job.pages ?? '?'} page(s) · ${esc(job.enginePath ?? '')}` +
    `${job.documentType ? ' · ' + esc(job.documentType) : ''}${job.durationMs != null ? ' · ' + ms(job.durationMs) : ''}`;
  if (job.status !== 'succeeded') {
    doc.result = { pages: [], entities: [] };
    $('#overlay').innerHTML = '';
    $('#doc-meta').innerHTML += job.error ? ` · <span class="error-text">${esc(job.error.code)}: ${esc(job.error.message)}</span>` : '';
    if (job.status === 'failed') return;
  } else if (!can.content) {
    doc.result = { pages: [], entities: [] };
    $('#doc-meta').innerHTML += ` · <span class="muted">the role ${esc(me.role)} sees metadata only, no content</span>`;
    return;
  } else {
    doc.result = await getJson(`${api}documents/${encodeURIComponent(id)}/result`);
    $('#doc-downloads').hidden = false;
  }
  drawPage();
}
// Downloads go through authFetch (the credential is a header, which a plain link cannot carry), then a blob link is clicked.
document.querySelectorAll('#doc-downloads button').forEach((b) => b.addEventListener('click', async () => {
  const r = await authFetch(`${api}documents/${encodeURIComponent(doc.id)}/${b.dataset.output}`);
  if (!r.ok) {
    const body = await r.json().catch(() => ({}));
    $('#doc-meta').textContent = body.detail || `${b.dataset.output}: ${r.status}`;
    return;
  }
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = (doc.fileName || doc.id).replace(/\.[^.]+$/, '') + b.dataset.suffix;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}));
function closeDocument() {
  $('#doc-view').hidden = true;
  $('#overview-view').hidden = false;
  doc.id = null;
}
$('#doc-close').addEventListener('click', () => { location.hash = ''; });
$('#doc-prev').addEventListener('click', () => { if (doc.page > 1) { doc.page--; drawPage(); } });
$('#doc-next').addEventListener('click', () => { if (doc.page < (doc.result.pages?.length ?? 1)) { doc.page++; drawPage(); } });
for (const id of ['#show-tokens', '#show-fields', '#show-tables']) $(id).addEventListener('change', drawPage);
function route() {
  const m = location.hash.match(/^#doc\/(.+)$/);
  if (m) openDocument(decodeURIComponent(m[1])).catch((err) => { $('#doc-meta').textContent = err.message; });
  else closeDocument();
}
window.addEventListener('hashchange', route);

// ---- start: who am I, then what this role may see ------------------------------------------------------------
function showSignIn(message) {
  $('#sign-in-view').hidden = false;
  $('#overview-view').hidden = true;
  // A failed single sign-on comes back as ?signin-error=…: shown once, then taken out of the address bar.
  const params = new URLSearchParams(location.search);
  const ssoError = params.get('signin-error');
  if (ssoError !== null) history.replaceState(null, '', location.pathname + location.hash);
  $('#sign-in-msg').textContent = message || ssoError || sessionStorage.getItem('docflow.signInMessage') || '';
  sessionStorage.removeItem('docflow.signInMessage');
  $('#api-key').focus();
  // Single sign-on, where the server has an identity provider configured (Auth:Oidc): a link to /auth/sign-in.
  fetch('auth/providers', { headers: { Accept: 'application/json' } }).then((r) => (r.ok ? r.json() : null)).then((p) => {
    if (!p || !p.oidc) return;
    const link = $('#sso-link');
    link.textContent = `Sign in with ${p.displayName || 'single sign-on'}`;
    link.href = `auth/sign-in?returnUrl=${encodeURIComponent(location.pathname + location.hash)}`;
    $('#sso').hidden = false;
  }).catch(() => {});
}
$('#sign-in').addEventListener('submit', async (e) => {
  e.preventDefault();
  const credential = normaliseCredential($('#api-key').value);
  $('#api-key').value = '';
  if (!credential) return;
  sessionStorage.setItem(keyItem, credential);
  const r = await fetch(`${api}me`, { headers: withCredential(new Headers({ Accept: 'application/json' }), credential) });
  if (!r.ok) {
    sessionStorage.removeItem(keyItem);
    const body = await r.json().catch(() => ({}));
    $('#sign-in-msg').textContent = body.detail || `sign-in failed (${r.status})`;
    return;
  }
  location.reload();
});
$('#sign-out').addEventListener('click', async () => {
  // A single sign-on session lives in an HttpOnly cookie: only the server can end it.
  if (me && me.method === 'oidc') await fetch('auth/sign-out', { method: 'POST' }).catch(() => {});
  signOut();
});
async function start() {
  const r = await authFetch(`${api}me`, { headers: { Accept: 'application/json' } });
  if (r.status === 401) {
    sessionStorage.removeItem(keyItem);
    showSignIn();
    return;
  }
  if (!r.ok) throw new Error(`${api}me: ${r.status}`);
  me = await r.json();
  const role = me.role;
  can.operate = role === 'admin' || role === 'operator';
  can.upload = role === 'admin' || role === 'submitter';
  can.content = role === 'admin' || role === 'submitter' || role === 'reader';
  can.metadata = can.operate || can.content;
  $('#insecure').hidden = !me.insecure;
  $('#who').hidden = false;
  // The tenant, when it limits what this principal sees (admins and operators see every tenant).
  const tenant = me.tenant && !me.allTenants ? ` · tenant ${me.tenant}` : me.allTenants && me.auth === 'required' ? ' · all tenants' : '';
  $('#who').textContent = me.auth === 'required' ? `${me.name} · ${role}${tenant}` : `${me.auth} · no sign-in needed`;
  $('#sign-out').hidden = !sessionStorage.getItem(keyItem) && me.method !== 'oidc';
  document.querySelectorAll('.ops').forEach((el) => { el.hidden = !can.operate; });
  document.querySelectorAll('.meta').forEach((el) => { el.hidden = !can.metadata; });
  document.querySelectorAll('.can-upload').forEach((el) => { el.hidden = !can.upload; });
  if (!can.metadata) {
    $('#role-note').hidden = false;
    $('#role-note').textContent = `Signed in as ${me.name} (${role}): this role reads the audit log only, which the dashboard does not show yet.`;
  }
  $('#overview-view').hidden = false;
  if (can.operate) {
    getJson(`${api}dashboard/overview`).then(renderOverview).catch(() => {});
    loadDeadLetters().catch(() => {});
    loadWebhooks().catch(() => {});
  } else {
    $('#mode').textContent = role;
  }
  if (can.metadata) {
    loadBatches().catch(() => {});
    loadJobs().catch(() => {});
    connect();
  }
  route();
}
start().catch((err) => { $('#live').textContent = err.message; });
