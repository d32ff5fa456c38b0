// The status page: plain JavaScript, no build, nothing fetched from outside the service.
// Public part: GET /status/events (server-sent events: a snapshot, then each change).
// Operator part: the admin endpoints, polled every few seconds with the admin token the operator
// types in. The token stays in this tab's sessionStorage and leaves it only as an Authorization
// header: never in a URL, never written to the console.
'use strict';

(function () {
  const TOKEN_KEY = 'soma.status.adminToken';
  const OPERATOR_KEY = 'soma.status.operator';
  const POLL_MS = 5000;
  const HISTORY_MAX = 50;

  const status = { sequence: 0, overall: 'unknown', services: {}, history: [] };
  let pollTimer = null;

  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children (strings become text: nothing is parsed as HTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value !== null && value !== undefined) {
        node.setAttribute(name, value);
      }
    });
    children.flat().forEach((child) => {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      }
    });
    return node;
  }

  function clock(iso) {
    const at = new Date(iso);
    return isNaN(at) ? '' : at.toLocaleTimeString([], { hour12: false });
  }

  function age(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - new Date(iso)) / 1000));
    if (seconds < 90) return seconds + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return Math.round(seconds / 3600) + ' h';
    return Math.round(seconds / 86400) + ' d';
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '-';
    if (seconds < 90) return seconds + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    return Math.round(seconds / 3600) + ' h';
  }

  // --- the public part: degradation status, live

  function connect() {
    const source = new EventSource('/status/events');
    source.addEventListener('snapshot', (event) => {
      const data = JSON.parse(event.data);
      applySnapshot(data.snapshot, data.history || []);
      renderJournal(data.journal);
      live(true, 'live');
    });
    source.addEventListener('journal', (event) => renderJournal(JSON.parse(event.data)));
    source.addEventListener('change', (event) => applyChange(JSON.parse(event.data)));
    // the service is stopping; the browser reconnects by itself when it is back
    source.addEventListener('bye', () => live(false, 'service stopping'));
    source.addEventListener('error', () => live(false, 'reconnecting'));
  }

  function live(isLive, words) {
    const badge = $('connection');
    badge.dataset.live = String(isLive);
    badge.textContent = words;
  }

  function applySnapshot(snapshot, history) {
    status.sequence = snapshot.sequence;
    status.overall = snapshot.overall;
    status.services = snapshot.services || {};
    status.history = history.slice(-HISTORY_MAX).reverse();
    render();
  }

  function applyChange(change) {
    // sequence 1 after a higher one: the monitor restarted; otherwise skip what the snapshot had
    if (change.sequence <= status.sequence && change.sequence !== 1) return;
    status.sequence = change.sequence;
    status.overall = change.overall;
    status.services[change.service] = change.current;
    status.history.unshift(change);
    status.history.length = Math.min(status.history.length, HISTORY_MAX);
    render();
  }

  function render() {
    const overall = $('overall');
    overall.dataset.level = status.overall;
    overall.textContent = status.overall;
    $('updated').textContent = new Date().toLocaleTimeString([], { hour12: false });
    renderServices();
    renderHistory();
  }

  function renderServices() {
    const list = Object.values(status.services).sort(
      (a, b) => (a.kind === b.kind ? a.service.localeCompare(b.service) : a.kind === 'dependency' ? -1 : 1));
    $('services').replaceChildren(
      ...list.map((s) => {
        const facts = [s.kind, 'since ' + clock(s.since) + ' (' + age(s.since) + ')'];
        if (s.critical) facts.push('critical');
        if (s.calls) facts.push(s.calls + ' calls, ' + Math.round(s.errorRate * 100) + '% failed, ' + s.latencyMs + ' ms');
        if (s.impactedBy && s.impactedBy.length) facts.push('through ' + s.impactedBy.join(', '));
        return el('div', { class: 'service', 'data-service': s.service, 'data-state': s.state },
          el('div', { class: 'service-head' },
            el('span', { class: 'name' }, s.service),
            el('span', { class: 'state', 'data-state': s.state }, s.state.replace('_', ' ')),
            el('span', { class: 'level', 'data-level': s.level }, 'level ' + s.level)),
          s.reason ? el('div', { class: 'reason' }, s.reason) : null,
          el('div', { class: 'meta' }, facts.join(' · ')));
      }));
  }

  function bytes(n) {
    if (n < 1024 * 1024) return Math.round(n / 1024) + ' KiB';
    return (n / (1024 * 1024)).toFixed(1) + ' MiB';
  }

  /** The local journal that takes writes while PostgreSQL cannot (absent: no card). */
  function renderJournal(journal) {
    $('journal-card').hidden = !journal;
    if (!journal) return;
    const facts = [journal.records + (journal.records === 1 ? ' record' : ' records') + ' waiting for PostgreSQL',
      bytes(journal.bytes) + ' of ' + bytes(journal.capBytes)];
    if (journal.records) facts.push('oldest ' + duration(journal.oldestAgeSeconds));
    $('journal').replaceChildren(
      el('span', { class: 'state', 'data-state': journal.state === 'idle' ? 'healthy' : 'degraded', 'data-journal': journal.state }, journal.state),
      ' ', facts.join(' · '));
  }

  function renderHistory() {
    $('history-empty').hidden = status.history.length > 0;
    $('history').replaceChildren(
      ...status.history.map((c) =>
        el('li', { 'data-service': c.service, 'data-state': c.current.state },
          el('time', { datetime: c.current.since }, clock(c.current.since)),
          el('strong', {}, c.service), ' ',
          el('span', { class: 'level', 'data-level': c.from }, c.from), ' → ',
          el('span', { class: 'level', 'data-level': c.to }, c.to), ' ',
          el('span', { class: 'state', 'data-state': c.current.state }, c.current.state.replace('_', ' ')),
          c.current.reason ? el('div', { class: 'muted' }, c.current.reason) : null)));
  }

  // --- the operator part: admin endpoints with the token from sessionStorage

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  function say(id, text, kind) {
    const message = $(id);
    message.textContent = text;
    message.dataset.kind = kind || 'info';
  }

  /** Calls an admin endpoint; rejects with the problem's detail (a 401 also locks the page). */
  async function admin(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token(), Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (response.status === 401 || response.status === 403) {
      lock();
      say('admin-message', 'The admin token was refused: ' + (json.detail || response.status), 'error');
    }
    if (!response.ok) throw new Error(json.detail || json.title || 'HTTP ' + response.status);
    return json;
  }

  function unlock(event) {
    event.preventDefault();
    const typed = $('token').value.trim();
    if (!typed) return;
    sessionStorage.setItem(TOKEN_KEY, typed);
    $('token').value = '';
    showAdmin();
  }

  function showAdmin() {
    $('unlock').hidden = true;
    $('admin').hidden = false;
    $('operator').value = sessionStorage.getItem(OPERATOR_KEY) || '';
    say('admin-message', '');
    poll();
  }

  function lock() {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(pollTimer);
    pollTimer = null;
    $('admin').hidden = true;
    $('unlock').hidden = false;
  }

  async function poll() {
    clearTimeout(pollTimer);
    if (!token()) return;
    try {
      const [summary, dead, breakers, failovers] = await Promise.all([
        admin('GET', '/admin/outbox/summary'),
        admin('GET', '/admin/dead-letters?limit=20'),
        admin('GET', '/admin/breakers'),
        admin('GET', '/admin/failovers'),
      ]);
      renderOutbox(summary.tenants);
      renderDeadLetters(dead.deadLetters);
      renderBreakers(breakers.breakers);
      renderFailovers(failovers.failovers);
    } catch (e) {
      if (token()) say('admin-message', 'Could not read the admin data: ' + e.message, 'error');
    }
    if (token()) pollTimer = setTimeout(poll, POLL_MS);
  }

  function rows(table, items, columns, toRow) {
    const body = $(table).tBodies[0];
    body.replaceChildren(
      ...(items.length ? items.map(toRow) : [el('tr', {}, el('td', { class: 'empty', colspan: columns }, 'none'))]));
  }

  const num = (value) => el('td', { class: 'num' }, value);

  function renderOutbox(tenants) {
    rows('outbox', tenants, 6, (t) =>
      el('tr', { 'data-tenant': t.tenantId },
        el('td', {}, t.tenantId), num(t.pending), num(t.retrying), num(duration(t.oldestPendingSeconds)),
        num(t.dead), num(t.publishedLastHour)));
  }

  function renderDeadLetters(letters) {
    $('dead-count').textContent = letters.length >= 20 ? '(oldest 20 unresolved)' : '(' + letters.length + ' unresolved)';
    rows('dead-letters', letters, 5, (d) =>
      el('tr', { 'data-id': d.id },
        num(d.id), el('td', {}, d.tenantId), el('td', {}, d.topic),
        el('td', {}, d.errorClass || d.errorMessage || ''), el('td', {}, clock(d.deadAt) + ' (' + age(d.deadAt) + ')')));
  }

  function renderBreakers(breakers) {
    rows('breakers', breakers, 6, (b) =>
      el('tr', { 'data-dependency': b.dependency, 'data-tenant': b.tenant },
        el('td', {}, b.dependency), el('td', {}, b.tenant),
        el('td', {}, el('span', { class: 'state', 'data-state': b.state === 'closed' ? 'healthy' : b.state === 'open' ? 'unavailable' : 'degraded' }, b.state)),
        el('td', { class: 'override' }, b.override ? b.override.mode + ' by ' + b.override.operator : ''),
        num(b.consecutiveFailures),
        el('td', { class: 'actions' },
          breakerButton(b, 'force-open', 'Force open', 'danger'),
          breakerButton(b, 'force-closed', 'Force closed', ''),
          b.override ? breakerButton(b, 'release', 'Release', 'secondary') : null)));
  }

  function breakerButton(breaker, action, words, style) {
    const button = el('button', { type: 'button', class: 'small ' + style, 'data-action': action }, words);
    button.addEventListener('click', () => changeBreaker(breaker, action));
    return button;
  }

  function operatorName() {
    const name = $('operator').value.trim();
    if (!name) {
      say('admin-message', 'Type your name first: every change is audited under it.', 'error');
      $('operator').focus();
      return null;
    }
    sessionStorage.setItem(OPERATOR_KEY, name);
    return name;
  }

  async function changeBreaker(breaker, action) {
    const operator = operatorName();
    if (!operator) return;
    const tenant = breaker.tenant === '_all' ? '' : '?tenant=' + encodeURIComponent(breaker.tenant);
    try {
      const changed = await admin('POST',
        '/admin/breakers/' + encodeURIComponent(breaker.dependency) + '/' + action + tenant,
        { operator, reason: 'from the status page' });
      say('admin-message', breaker.dependency + ' (' + breaker.tenant + '): ' + action + ' done, now '
        + changed.state + (changed.override ? ', ' + changed.override.mode : ''));
      poll();
    } catch (e) {
      say('admin-message', breaker.dependency + ': ' + action + ' failed: ' + e.message, 'error');
    }
  }

  function renderFailovers(failovers) {
    rows('failovers', failovers, 5, (f) =>
      el('tr', {}, el('td', {}, f.kind), el('td', {}, f.from), el('td', {}, f.to),
        el('td', {}, f.useCase || ''), num(f.count)));
  }

  async function dryRun(event) {
    event.preventDefault();
    const operator = operatorName();
    if (!operator) return;
    const body = { dryRun: true, operator, reason: 'dry run from the status page' };
    new FormData($('replay')).forEach((value, name) => {
      if (String(value).trim()) body[name] = String(value).trim();
    });
    say('replay-result', 'Counting…');
    try {
      const result = await admin('POST', '/admin/outbox/replay/tenant', body);
      say('replay-result', 'Would replay ' + result.count + (result.count === 1 ? ' event' : ' events')
        + ' of ' + body.tenantId + ' (dry run: nothing changed)');
    } catch (e) {
      say('replay-result', 'Dry run refused: ' + e.message, 'error');
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('unlock').addEventListener('submit', unlock);
    $('lock').addEventListener('click', () => { lock(); say('admin-message', ''); });
    $('replay').addEventListener('submit', dryRun);
    connect();
    if (token()) showAdmin();
  });
})();
