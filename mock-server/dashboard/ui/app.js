// @ts-check
/**
 * The dashboard: reads the admin API with the tokens the user gives it, listens to the tenant's stream
 * and redraws what changed, at most a few times a second however fast requests arrive. No framework: a
 * few render functions over one state object. Types come from the contracts (checked by tsc, see
 * tsconfig.json beside this file).
 *
 * @typedef {import('../../../contracts/admin-schemas.ts').CallList} CallList
 * @typedef {import('../../../contracts/admin-schemas.ts').ConversationState} ConversationState
 * @typedef {import('../../../contracts/admin-schemas.ts').JournalEntry} JournalEntry
 * @typedef {import('../../../contracts/admin-schemas.ts').JournalPage} JournalPage
 * @typedef {import('../../../contracts/admin-schemas.ts').VerificationReport} VerificationReport
 * @typedef {import('../../../contracts/admin-schemas.ts').TenantList} TenantList
 * @typedef {{ developerName: string; id: string; label: string }} Queue
 * @typedef {{ username: string; id: string; name: string }} Rep
 * @typedef {{ fallbackQueue?: string }} ChannelRouting
 * @typedef {{ phoneNumber: string; label?: string; live?: ChannelRouting; voicemail?: ChannelRouting }} PhoneChannel
 * @typedef {{ apiName: string; phoneChannels: PhoneChannel[]; queues: Queue[]; reps: Rep[] }} CenterView
 * @typedef {{ orgId: string; name: string; contactCenter: CenterView }} OrgView
 * @typedef {{ scenario: string; ok: boolean; text: string; problems: string[] }} Verdict
 * @typedef {import('../../../contracts/admin-schemas.ts').CheckOutcome} CheckOutcome
 * @typedef {Record<string, unknown>} Loose A stored record, its other fields as the store keeps them.
 */

/** The scenarios the verifier knows: the server writes them into the page from the contracts. */
const SCENARIOS = [...document.querySelectorAll('#scenario-names option')].map((option) => ({
  name: /** @type {HTMLOptionElement} */ (option).value,
  title: option.textContent ?? '',
}));
const REDRAW_MS = 250;

const state = {
  token: localStorage.getItem('scv-mock.token') ?? '',
  adminToken: localStorage.getItem('scv-mock.admin-token') ?? '',
  tenant: '',
  /** @type {ConversationState[]} */
  conversations: [],
  evicted: 0,
  /** @type {JournalEntry[]} */
  journal: [],
  /** @type {OrgView | null} */
  org: null,
  /** @type {TenantList['tenants']} */
  tenants: [],
  /** @type {string | null} */
  selected: null,
  scenario: SCENARIOS[0]?.name ?? 'voicemail',
  /** @type {Map<string, Verdict>} */
  verdicts: new Map(),
  /** @type {AbortController | null} */
  stream: null,
};

/** @param {string} id */
function el(id) {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`no element #${id}`);
  return found;
}

/** @param {unknown} value */
function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The status line: an error until the next action, or a note.
 * @param {string} text
 * @param {'error' | 'note'} [kind]
 */
function say(text, kind = 'error') {
  const line = el('message');
  line.textContent = text;
  line.className = kind;
}

/** What to do about an error code, in the page's terms. @param {unknown} code */
function hintFor(code) {
  if (code === 'ADMIN_TOKEN_MISSING' || code === 'ADMIN_TOKEN_INVALID')
    return 'This mock needs its admin token: paste it in the field that appeared, then click Demo token or Open.';
  if (code === 'AUTH_EXPIRED') return 'The token expired: click Demo token, or paste a new token and click Open.';
  if (code === 'AUTH_MISSING') return "Click Demo token, or paste your tenant's bearer token and click Open.";
  return '';
}

function headers() {
  /** @type {Record<string, string>} */
  const out = { 'Content-Type': 'application/json' };
  if (state.token !== '') out.Authorization = `Bearer ${state.token}`;
  if (state.adminToken !== '') out['Scv-Mock-Admin-Token'] = state.adminToken;
  return out;
}

/**
 * An admin request; an error answer is shown and thrown.
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<unknown>}
 */
async function admin(path, init = {}) {
  const res = await fetch(path, { ...init, headers: headers() });
  const body = /** @type {{ errorCode?: string; errors?: string[] } | null} */ (await res.json().catch(() => null));
  if (!res.ok) {
    const code = body?.errorCode ?? res.status;
    if (code === 'ADMIN_TOKEN_MISSING' || code === 'ADMIN_TOKEN_INVALID') el('admin-token').hidden = false;
    say(`${code}: ${hintFor(code) || (body?.errors ?? []).join(' ')}`);
    if (res.status === 401 || res.status === 403) {
      // Whatever was shown belongs to tokens that no longer work.
      state.stream?.abort();
      live(false);
    }
    throw new Error(String(code));
  }
  return body;
}

async function refresh() {
  const calls = /** @type {CallList} */ (await admin('/__admin/calls?limit=500'));
  const page = /** @type {JournalPage} */ (await admin('/__admin/journal?limit=500'));
  state.tenant = calls.tenant;
  state.conversations = calls.conversations;
  state.evicted = calls.evicted;
  state.journal = page.entries;
  state.tenants = /** @type {TenantList} */ (await admin('/__admin/tenants')).tenants;
  if (state.selected !== null && !state.conversations.some((c) => c.conversationId === state.selected))
    state.selected = null;
  render();
}

let redrawTimer = /** @type {ReturnType<typeof setTimeout> | null} */ (null);
/** Many events, one read and redraw every REDRAW_MS: a busy tenant never floods the page. */
function scheduleRefresh() {
  if (redrawTimer !== null) return;
  redrawTimer = setTimeout(() => {
    redrawTimer = null;
    refresh().catch(() => undefined);
  }, REDRAW_MS);
}

/** Reads the tenant's event stream (fetch, so that it carries the tokens) until it ends, then retries. */
async function listen() {
  state.stream?.abort();
  const controller = new AbortController();
  state.stream = controller;
  try {
    const res = await fetch('/__admin/stream', { headers: headers(), signal: controller.signal });
    if (!res.ok || res.body === null) throw new Error(`stream answered ${res.status}`);
    live(true);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: (entry|reset)$/m.test(block)) {
          if (block.includes('event: reset')) state.verdicts.clear();
          scheduleRefresh();
        }
      }
    }
  } catch {
    if (controller.signal.aborted) return;
  }
  live(false);
  if (!controller.signal.aborted) setTimeout(() => void listen(), 2000);
}

/** @param {boolean} on */
function live(on) {
  const badge = el('live');
  badge.textContent = on ? 'live' : 'offline';
  badge.className = `badge ${on ? 'on' : 'off'}`;
}

/** The queue or rep a leg was routed to, by its owner id. @param {string | null | undefined} ownerId */
function ownerName(ownerId) {
  if (ownerId === null || ownerId === undefined || state.org === null) return ownerId ?? '';
  const { queues, reps } = state.org.contactCenter;
  const queue = queues.find((q) => q.id === ownerId);
  if (queue !== undefined) return `queue ${queue.label} (${queue.developerName})`;
  const rep = reps.find((r) => r.id === ownerId);
  return rep === undefined ? ownerId : `rep ${rep.name}`;
}

/** @param {ConversationState} c */
function firstLeg(c) {
  return /** @type {Loose} */ (c.legs[0] ?? {});
}

function renderCalls() {
  el('tenant').textContent = state.tenant === '' ? 'no tenant yet' : `tenant ${state.tenant}`;
  el('call-count').textContent =
    `${state.conversations.length}${state.evicted > 0 ? ` (${state.evicted} evicted)` : ''}`;
  const items = [...state.conversations].reverse().map((c) => {
    const leg = firstLeg(c);
    return `<li data-id="${esc(c.conversationId)}" class="${c.conversationId === state.selected ? 'selected' : ''}">
      <div class="key">${esc(c.firstVendorCallKey)}</div>
      <span class="badge ${esc(c.status)}">${esc(c.status)}</span>
      <span class="muted">${esc(leg.callOrigin ?? leg.callType ?? '')} · ${c.legs.length} leg(s) · ${c.transcripts.length} msg</span>
    </li>`;
  });
  el('calls').innerHTML = items.join('');
}

/** @param {JournalEntry} entry */
function curlOf(entry) {
  const body =
    entry.request.body === null || entry.request.body === undefined
      ? ''
      : ` \\\n  --data '${JSON.stringify(entry.request.body).replace(/'/g, "'\\''")}'`;
  return `curl -X ${entry.method} '${location.origin}${entry.path}' \\\n  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'${body}`;
}

/** @param {JournalEntry} entry */
function entryHtml(entry) {
  const status = entry.response.status;
  const checks = entry.checks
    .filter((check) => check.outcome !== 'ok')
    .map(
      (check) =>
        `<div class="check ${esc(check.outcome)}"><b>${esc(check.rule)}</b> ${esc(check.outcome)}: ${esc(check.message)}</div>`,
    )
    .join('');
  const errors =
    status !== null && status >= 400 ? (/** @type {{ errors?: string[] }} */ (entry.response.body)?.errors ?? []) : [];
  return `<li class="s${status === null ? 0 : Math.floor(status / 100)}" data-seq="${entry.seq}">
    <code>#${entry.seq} ${esc(entry.method)} ${esc(entry.path.replace('/telephony/v1', ''))}</code> → <b>${status ?? 'no answer'}</b>
    <span class="muted">${esc(entry.time.slice(11, 19))}</span>
    ${entry.fault === undefined ? '' : `<span class="badge fail">fault ${esc(entry.fault.id)}</span>`}
    <button type="button" class="curl" data-seq="${entry.seq}" title="Copy as curl">curl</button>
    ${checks}${errors.map((e) => `<div class="check violation">${esc(e)}</div>`).join('')}
  </li>`;
}

function renderDetail() {
  const c = state.conversations.find((x) => x.conversationId === state.selected);
  if (c === undefined) {
    el('detail').innerHTML = '<p class="muted">Choose a call to see its timeline.</p>';
    return;
  }
  const entries = state.journal.filter(
    (e) =>
      e.conversationId === c.conversationId || (e.conversationId === null && e.vendorCallKey === c.firstVendorCallKey),
  );
  const legs = c.legs.map((raw) => {
    const leg = /** @type {Loose} */ (raw);
    return `<dl class="facts"><dt>leg</dt><dd>${esc(leg.id)} (${esc(leg.callType)}) ${esc(leg.vendorCallKey)}</dd>
      <dt>origin</dt><dd>${esc(leg.callOrigin ?? '—')}</dd><dt>routed to</dt><dd class="routed">${esc(ownerName(/** @type {string | null} */ (leg.ownerId)) || leg.queue || '—')}</dd>
      <dt>agent</dt><dd>${esc(leg.agent ?? '—')}</dd><dt>disposition</dt><dd>${esc(leg.disposition)}</dd></dl>`;
  });
  const transcript = c.transcripts.map((raw) => {
    const m = /** @type {Loose} */ (raw);
    return `<div class="bubble ${m.senderType === 'Agent' || m.senderType === 'HumanAgent' ? 'agent' : ''}"><div class="who">${esc(m.senderType)} · ${esc(m.participantId)}</div>${esc(m.content)}</div>`;
  });
  const recordings = c.recordings.map((r) => `<li>${esc(/** @type {Loose} */ (r).recordingLocation)}</li>`);
  const verdict = state.verdicts.get(c.conversationId);
  const options = SCENARIOS.map(
    (o) => `<option value="${esc(o.name)}"${o.name === state.scenario ? ' selected' : ''}>${esc(o.name)}</option>`,
  );
  const verdictHtml =
    verdict === undefined
      ? ''
      : `<div class="verdict"><span class="badge ${verdict.ok ? 'pass' : 'fail'}">${verdict.ok ? 'PASS' : 'FAIL'}</span>
        ${esc(verdict.scenario)}: ${esc(verdict.text)}<ul>${verdict.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`;
  el('detail').innerHTML =
    `<h2>${esc(c.firstVendorCallKey)} <span class="badge ${esc(c.status)}">${esc(c.status)}</span></h2>
    <div class="verify"><select id="scenario">${options.join('')}</select>
      <button type="button" id="verify">Verify scenario</button>${verdictHtml}
    </div>
    ${legs.join('')}
    ${recordings.length === 0 ? '' : `<h3>Recording</h3><ul>${recordings.join('')}</ul>`}
    <h3>Transcript (${c.transcripts.length})</h3>${transcript.join('') || '<p class="muted">none</p>'}
    ${
      c.events.length === 0
        ? ''
        : `<h3>Events (${c.events.length})</h3><pre>${esc(
            JSON.stringify(
              c.events.map((e) => /** @type {Loose} */ (e).events),
              null,
              1,
            ),
          )}</pre>`
    }
    <h3>Requests (${entries.length})</h3><ol class="timeline">${entries.map(entryHtml).join('')}</ol>`;
}

function renderOrg() {
  if (state.org === null) {
    el('org').innerHTML = '<p class="muted">Open a tenant to see its contact center.</p>';
    return;
  }
  const { contactCenter } = state.org;
  /** @param {(leg: Loose) => boolean} test */
  const routed = (test) => state.conversations.filter((c) => c.legs.some((leg) => test(/** @type {Loose} */ (leg))));
  const queueRows = contactCenter.queues.map((q) => {
    const calls = routed((leg) => leg.ownerId === q.id);
    return `<tr data-queue="${esc(q.developerName)}"><td>${esc(q.label)}<div class="muted">${esc(q.developerName)}</div></td><td>${calls.length}</td><td>${calls.map((c) => `<div class="key">${esc(c.firstVendorCallKey)}${firstLeg(c).callOrigin === 'Voicemail' ? ' (voicemail)' : ''}</div>`).join('')}</td></tr>`;
  });
  const repRows = contactCenter.reps.map((r) => {
    const calls = routed((leg) => leg.ownerId === r.id);
    return `<tr><td>${esc(r.name)}</td><td>${calls.length}</td><td>${calls.map((c) => esc(c.firstVendorCallKey)).join('<br>')}</td></tr>`;
  });
  const tenants = state.tenants.map(
    (t) =>
      `<tr${t.tenant === state.tenant ? ' class="current"' : ''}><td class="key">${esc(t.tenant)}</td><td>${t.calls} calls</td></tr>`,
  );
  el('org').innerHTML = `<h2>${esc(state.org.name)} · ${esc(contactCenter.apiName)}</h2>
    <h3>Tenants on this mock</h3><table class="org" id="tenants">${tenants.join('')}</table>
    <h3>Phone channels</h3><table class="org">${contactCenter.phoneChannels.map((p) => `<tr><td>${esc(p.phoneNumber)}</td><td>${esc(p.label ?? '')}<div class="muted">live → ${esc(p.live?.fallbackQueue ?? '—')}, voicemail → ${esc(p.voicemail?.fallbackQueue ?? '—')}</div></td></tr>`).join('')}</table>
    <h3>Queues</h3><table class="org">${queueRows.join('')}</table>
    <h3>Reps</h3><table class="org">${repRows.join('')}</table>`;
}

function renderJournal() {
  const operation = /** @type {HTMLSelectElement} */ (el('journal-operation')).value;
  const outcome = /** @type {HTMLSelectElement} */ (el('journal-outcome')).value;
  const select = /** @type {HTMLSelectElement} */ (el('journal-operation'));
  const operations = [...new Set(state.journal.map((e) => e.operation).filter((o) => o !== null))];
  if (select.options.length - 1 !== operations.length)
    select.innerHTML = `<option value="">every operation</option>${operations.map((o) => `<option${o === operation ? ' selected' : ''}>${esc(o)}</option>`).join('')}`;
  const shown = state.journal.filter((e) => {
    if (operation !== '' && e.operation !== operation) return false;
    if (outcome === '') return true;
    const outcomes = new Set(e.checks.map((c) => c.outcome));
    return outcome === 'ok'
      ? !outcomes.has('warning') && !outcomes.has('violation')
      : outcomes.has(/** @type {CheckOutcome} */ (outcome));
  });
  el('journal-entries').innerHTML = [...shown].reverse().map(entryHtml).join('');
}

function render() {
  renderCalls();
  renderDetail();
  renderOrg();
  renderJournal();
}

async function open() {
  localStorage.setItem('scv-mock.token', state.token);
  localStorage.setItem('scv-mock.admin-token', state.adminToken);
  say('', 'note');
  state.org = /** @type {OrgView} */ (await admin('/__admin/org'));
  await refresh();
  /** @type {HTMLButtonElement} */ (el('reset')).disabled = false;
  void listen();
}

/** @param {string} scenario @param {ConversationState} c */
async function verify(scenario, c) {
  state.verdicts.delete(c.conversationId);
  const body = /** @type {VerificationReport | { reports: VerificationReport[] }} */ (
    await admin('/__admin/verify', {
      method: 'POST',
      body: JSON.stringify({ scenario, vendorCallKey: c.firstVendorCallKey }),
    })
  );
  const report = 'reports' in body ? body.reports[0] : body;
  if (report === undefined) return;
  say('', 'note');
  state.verdicts.set(c.conversationId, {
    scenario,
    ok: report.ok,
    text: `${report.title}`,
    problems: report.problems.map((p) => `${p.rule === undefined ? '' : `${p.rule}: `}${p.message}`),
  });
  renderDetail();
}

/** The curl command in a box to copy from, where the page may not write the clipboard. @param {string} text */
function showCurl(text) {
  const line = el('message');
  line.className = 'note';
  line.innerHTML = '<textarea id="curl-text" readonly rows="4"></textarea>';
  const box = /** @type {HTMLTextAreaElement} */ (el('curl-text'));
  box.value = text;
  box.select();
}

el('auth').addEventListener('submit', (event) => {
  event.preventDefault();
  state.token = /** @type {HTMLInputElement} */ (el('token')).value.trim();
  state.adminToken = /** @type {HTMLInputElement} */ (el('admin-token')).value.trim();
  open().catch(() => undefined);
});
el('demo-token').addEventListener('click', () => {
  state.adminToken = /** @type {HTMLInputElement} */ (el('admin-token')).value.trim();
  admin('/__admin/ui/token', { method: 'POST', body: '{}' })
    .then((answer) => {
      const body = /** @type {{ token: string }} */ (answer);
      state.token = body.token;
      /** @type {HTMLInputElement} */ (el('token')).value = body.token;
      return open();
    })
    .catch(() => undefined);
});
el('reset').addEventListener('click', () => {
  if (state.tenant === '') return;
  if (!confirm(`Delete every call and journal entry of ${state.tenant}?`)) return;
  admin('/__admin/reset', { method: 'POST', body: '{}' })
    .then(() => {
      say(`Reset ${state.tenant}.`, 'note');
      return refresh();
    })
    .catch(() => undefined);
});
el('calls').addEventListener('click', (event) => {
  const item = /** @type {HTMLElement} */ (event.target).closest('li');
  if (item === null) return;
  state.selected = item.dataset.id ?? null;
  if (el('message').className === 'note') say('', 'note');
  renderCalls();
  renderDetail();
});
document.body.addEventListener('click', (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (target.id === 'verify') {
    const c = state.conversations.find((x) => x.conversationId === state.selected);
    const scenario = /** @type {HTMLSelectElement} */ (el('scenario')).value;
    state.scenario = scenario;
    if (c !== undefined) verify(scenario, c).catch(() => renderDetail());
  } else if (target.classList.contains('curl')) {
    const entry = state.journal.find((e) => String(e.seq) === target.dataset.seq);
    if (entry === undefined) return;
    const text = curlOf(entry);
    target.dataset.curl = text;
    // The clipboard is offered on https and on localhost only; elsewhere the command is shown to copy by hand.
    const copied = navigator.clipboard?.writeText(text) ?? Promise.reject(new Error('no clipboard'));
    copied.then(
      () => say('Copied as curl (set TOKEN to your bearer token).', 'note'),
      () => showCurl(text),
    );
  } else if (target.dataset.tab !== undefined) {
    for (const tab of document.querySelectorAll('.tabs button')) tab.classList.toggle('active', tab === target);
    el('org').hidden = target.dataset.tab !== 'org';
    el('journal').hidden = target.dataset.tab !== 'journal';
  }
});
for (const id of ['journal-operation', 'journal-outcome']) el(id).addEventListener('change', renderJournal);

/** @type {HTMLInputElement} */ (el('token')).value = state.token;
/** @type {HTMLInputElement} */ (el('admin-token')).value = state.adminToken;
if (state.adminToken !== '') el('admin-token').hidden = false;
render();
if (state.token !== '') open().catch(() => undefined);
