// The operator console: plain JavaScript over the host's HTTP API (docs/http-api.md).
// No framework and no build step; every text the operator reads comes either from the
// label table (labels.json, shared with the command line) or from the API (notices,
// prompts and match reasons, rendered by the notification-texts plugin in the chosen locale).
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------
  // Labels
  // ---------------------------------------------------------------------------------------

  // The labels, shared with the command line: labels.json, served before this file as
  // labels.js.
  const LABELS = globalThis.POS_LABELS;

  const LOCALES = Object.keys(LABELS);
  const LOCALE_KEY = 'pos-console.locale';
  const TOKEN_KEY = 'pos-console.token';
  /** The filter fields of a local search, as the API names them. */
  const FILTER_FIELDS = ['number', 'first-name', 'last-name', 'company', 'tax-id', 'email', 'phone', 'street',
    'postal-code', 'city', 'country'];
  const MAX_FILTERS = 11;
  /** The customer fields an operator may change (PATCH), in form order. */
  const FORM_FIELDS = ['first_name', 'last_name', 'company', 'tax_id', 'email', 'phone', 'street', 'postal_code',
    'city', 'country'];
  /** How long a long poll asks the host to wait. */
  const LONG_POLL_MS = 25000;

  /** The console's label `key` in the current locale, with `{name}` filled from `args`. */
  function t(key, args) {
    const text = (LABELS[state.locale] && LABELS[state.locale][key]) ?? LABELS.en[key] ?? key;
    if (!args) return text;
    return text.replace(/\{([a-z-]+)\}/gi, (whole, name) => (name in args ? String(args[name]) : whole));
  }

  /** The label of a customer field named in snake_case or kebab-case. */
  function fieldLabel(name) {
    return t('field.' + name.replace(/_/g, '-'));
  }

  // ---------------------------------------------------------------------------------------
  // State and small helpers
  // ---------------------------------------------------------------------------------------

  const state = {
    locale: 'en',
    tab: 'search',
    settings: null,
    search: {
      session: null,
      screen: null,
      filters: [],
      operation: null,
      opened: null,
    },
    web: { loaded: false, list: null, selected: null, candidates: null, local: null, search: '', busy: false, outcome: null },
    local: { loaded: false, entries: [], selected: null, busy: false, outcome: null },
    status: null,
  };

  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children (strings become text nodes, never HTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (value === true) node.setAttribute(name, '');
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Requests in flight that the operator waits for (long polls excluded); tests wait on it. */
  let pending = 0;
  function track(delta) {
    pending += delta;
    document.body.dataset.pending = String(pending);
  }

  function fullName(customer) {
    return [customer.first_name, customer.last_name].filter((part) => part && part.trim()).join(' ');
  }

  function formatTime(ms) {
    if (ms === null || ms === undefined) return '';
    const locale = { en: 'en-GB', pl: 'pl-PL', nl: 'nl-NL' }[state.locale] || state.locale;
    return new Date(ms).toLocaleString(locale);
  }

  /** A notice's words: the API sends notice objects, a decision's summary may be plain text. */
  function noticeText(notice) {
    if (notice === null || notice === undefined) return '';
    if (typeof notice === 'string') return notice;
    return notice.text ?? notice.key ?? '';
  }

  /** Shows `text` in a notice bar with a severity (`info`, `warning`, `error`). */
  function showNotice(bar, textNode, severity, text) {
    if (!text) {
      bar.hidden = true;
      textNode.textContent = '';
      delete bar.dataset.severity;
      return;
    }
    bar.hidden = false;
    bar.dataset.severity = severity || 'info';
    textNode.textContent = text;
  }

  function showBanner(text) {
    const banner = $('banner');
    banner.textContent = text || '';
    banner.hidden = !text;
  }

  // ---------------------------------------------------------------------------------------
  // The API
  // ---------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || `${t('error.generic')} (${status})`);
      this.status = status;
      this.kind = (body && body.kind) || (status === 0 ? 'network' : 'internal');
      this.field = (body && body.field) || null;
      /** The error in the operator's words: a label key and its arguments, when the host has them. */
      this.label = (body && body.label) || null;
    }
  }

  let tokenAsked = null;

  /** The API token the host gave this page, when it serves on loopback; else null. */
  function pageToken() {
    const meta = document.querySelector('meta[name="pos-api-token"]');
    return (meta && meta.content) || null;
  }

  /** Asks the operator for the token once, even when several requests were refused at once. */
  function askToken() {
    if (!tokenAsked) {
      tokenAsked = new Promise((resolve) => {
        const form = $('token-form');
        const input = $('token-input');
        input.value = '';
        openDialog('token-dialog', input);
        const submit = (event) => {
          event.preventDefault();
          const token = input.value.trim();
          if (!token) return;
          form.removeEventListener('submit', submit);
          sessionStorage.setItem(TOKEN_KEY, token);
          closeDialog('token-dialog');
          tokenAsked = null;
          resolve();
        };
        form.addEventListener('submit', submit);
      });
    }
    return tokenAsked;
  }

  /**
   * Calls the API: `method` on `path` with the JSON `body`, the current locale and `query`.
   * Resolves with the JSON answer (or null), rejects with an ApiError; a 401 asks for the
   * token and tries again. `background` requests (long polls) do not count as pending.
   */
  async function api(method, path, body, options = {}) {
    const url = new URL(path, window.location.origin);
    url.searchParams.set('locale', state.locale);
    for (const [name, value] of Object.entries(options.query || {})) {
      if (value !== null && value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    for (;;) {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const token = pageToken() || sessionStorage.getItem(TOKEN_KEY);
      if (token) headers.Authorization = `Bearer ${token}`;
      let response;
      let text;
      if (!options.background) track(1);
      try {
        response = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: options.signal,
          cache: 'no-store',
        });
        text = await response.text();
      } catch (error) {
        if (error && error.name === 'AbortError') throw error;
        throw new ApiError(0, { error: t('error.network'), kind: 'network' });
      } finally {
        if (!options.background) track(-1);
      }
      if (response.status === 401) {
        // A host restarted with another token: the page's is stale, and the operator's
        // answer takes its place.
        const meta = document.querySelector('meta[name="pos-api-token"]');
        if (meta) meta.content = '';
        sessionStorage.removeItem(TOKEN_KEY);
        await askToken();
        continue;
      }
      let data = null;
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = { error: text };
        }
      }
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    }
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // ---------------------------------------------------------------------------------------
  // Dialogs and menus
  // ---------------------------------------------------------------------------------------

  const openDialogs = [];
  /** Where the focus was before each open dialog, to give it back on close. */
  const focusBefore = new Map();

  function openDialog(id, focus) {
    const dialog = $(id);
    if (!openDialogs.includes(id)) {
      openDialogs.push(id);
      focusBefore.set(id, document.activeElement);
    }
    dialog.hidden = false;
    $('overlay').hidden = false;
    closeMenus();
    const target = focus || dialog.querySelector('button, input');
    if (target) target.focus();
  }

  function closeDialog(id) {
    $(id).hidden = true;
    const index = openDialogs.indexOf(id);
    if (index >= 0) openDialogs.splice(index, 1);
    $('overlay').hidden = openDialogs.length === 0;
    const before = focusBefore.get(id);
    focusBefore.delete(id);
    if (before && before.isConnected && typeof before.focus === 'function' && openDialogs.length === 0) before.focus();
  }

  /** Keeps Tab inside the dialog on top. */
  function trapFocus(event) {
    const top = openDialogs[openDialogs.length - 1];
    if (!top || event.key !== 'Tab') return;
    const focusable = [...$(top).querySelectorAll('button:not([disabled]), input:not([disabled])')];
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && (document.activeElement === first || !$(top).contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !$(top).contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  }

  function closeMenus() {
    for (const menu of document.querySelectorAll('.context-menu')) menu.hidden = true;
  }

  /** Opens context menu `id` at the pointer (or under `anchor` from the keyboard). */
  function openMenu(id, x, y) {
    closeMenus();
    const menu = $(id);
    menu.hidden = false;
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const left = Math.max(4, Math.min(x, window.innerWidth - width - 4));
    const top = Math.max(4, Math.min(y, window.innerHeight - height - 4));
    menu.style.left = `${left + window.scrollX}px`;
    menu.style.top = `${top + window.scrollY}px`;
    const first = menu.querySelector('button:not([disabled])');
    if (first) first.focus();
  }

  function menuAt(item) {
    const box = item.getBoundingClientRect();
    return [box.left + 24, box.bottom - 4];
  }

  // ---------------------------------------------------------------------------------------
  // Prompts: questions the plugins and merge plans ask while an action waits
  // ---------------------------------------------------------------------------------------

  let promptShown = null;

  /** Shows `prompt` as a modal dialog; resolves once answered (or closed by the action's end). */
  function askPrompt(prompt) {
    return new Promise((resolve) => {
      const dialog = $('prompt-dialog');
      dialog.dataset.promptId = String(prompt.id);
      dialog.dataset.key = prompt.key || '';
      dialog.dataset.severity = prompt.severity || 'info';
      $('prompt-text').textContent = prompt.text || prompt.key || '';
      const choices = $('prompt-choices');
      choices.replaceChildren();
      const answer = async (choice) => {
        for (const button of choices.querySelectorAll('button')) button.disabled = true;
        try {
          await api('POST', `/api/prompts/${encodeURIComponent(prompt.id)}`, { choice });
        } catch (error) {
          // 404: answered elsewhere or timed out (then it counted as dismissed).
          if (error.status !== 404) showBanner(error.message);
        }
        finish();
      };
      const finish = () => {
        if (promptShown && promptShown.id === prompt.id) promptShown = null;
        closeDialog('prompt-dialog');
        resolve();
      };
      (prompt.choices || []).forEach((choice, index) => {
        choices.append(el('button', {
          type: 'button',
          class: index === 0 ? 'secondary' : null,
          id: `prompt-choice-${choice.id}`,
          'data-testid': 'prompt-choice',
          'data-choice': choice.id,
          onclick: () => answer(choice.id),
        }, choice.label || choice.id));
      });
      promptShown = { id: prompt.id, dismiss: () => answer(null), close: finish };
      openDialog('prompt-dialog', choices.querySelector('button'));
    });
  }

  /** Shows the host's prompts one by one until `signal` is aborted (the action answered). */
  async function watchPrompts(signal) {
    const answered = new Set();
    while (!signal.aborted) {
      let prompts;
      try {
        const data = await api('GET', '/api/prompts', undefined, {
          query: { wait_ms: LONG_POLL_MS }, signal, background: true,
        });
        prompts = (data && data.prompts) || [];
      } catch (error) {
        if (signal.aborted) return;
        await sleep(500);
        continue;
      }
      const next = prompts.find((prompt) => !answered.has(prompt.id));
      if (!next || signal.aborted) {
        if (next === undefined && prompts.length) await sleep(200);
        continue;
      }
      answered.add(next.id);
      await askPrompt(next);
    }
  }

  /**
   * Runs an action whose answer may wait for the operator's answer to a prompt: watches the
   * prompts while the request is in flight. Resolves with the decision, rejects with the error.
   */
  async function withPrompts(request) {
    const watching = new AbortController();
    const watcher = watchPrompts(watching.signal);
    try {
      return await request();
    } finally {
      watching.abort();
      if (promptShown) promptShown.close();
      await watcher.catch(() => {});
    }
  }

  // ---------------------------------------------------------------------------------------
  // Search screen (seed 1)
  // ---------------------------------------------------------------------------------------

  async function session() {
    if (!state.search.session) {
      const created = await api('POST', '/api/search/sessions', {});
      state.search.session = created.session;
    }
    return state.search.session;
  }

  /**
   * Calls `request(session)`, opening a new session once when the old one was closed (idle
   * for too long). With `replay`, the new session first searches locally again, so that
   * [Search] and opening a customer find the phrase, filters and list they expect.
   */
  async function inSession(request, replay) {
    const id = await session();
    try {
      return await request(id);
    } catch (error) {
      if (error.status === 404 && state.search.session === id && /session/i.test(error.message)) {
        state.search.session = null;
        const fresh = await session();
        if (replay) await api('POST', `/api/search/sessions/${encodeURIComponent(fresh)}/local`, query());
        return request(fresh);
      }
      throw error;
    }
  }

  function renderFilters() {
    const rows = $('filter-rows');
    rows.replaceChildren();
    state.search.filters.forEach((filter, index) => {
      const select = el('select', {
        id: `filter-field-${index}`,
        'data-testid': 'filter-field',
        'aria-label': t('filter.field'),
        onchange: (event) => { filter.field = event.target.value; },
      }, FILTER_FIELDS.map((field) => el('option', { value: field, selected: field === filter.field }, fieldLabel(field))));
      const value = el('input', {
        type: 'text',
        id: `filter-value-${index}`,
        'data-testid': 'filter-value',
        maxlength: 200,
        placeholder: t('filter.value'),
        'aria-label': `${fieldLabel(filter.field)}: ${t('filter.value')}`,
        value: filter.value,
        oninput: (event) => { filter.value = event.target.value; },
      });
      const remove = el('button', {
        type: 'button',
        class: 'icon',
        id: `filter-remove-${index}`,
        'data-testid': 'filter-remove',
        'aria-label': t('filter.remove'),
        title: t('filter.remove'),
        onclick: () => {
          state.search.filters.splice(index, 1);
          renderFilters();
        },
      }, '×');
      rows.append(el('div', { class: 'filter-row', 'data-testid': 'filter-row' }, select, value, remove));
    });
    $('filter-add').disabled = state.search.filters.length >= MAX_FILTERS;
  }

  function addFilter() {
    if (state.search.filters.length >= MAX_FILTERS) return;
    const used = new Set(state.search.filters.map((f) => f.field));
    const field = ['city', 'last-name', 'first-name', 'postal-code', 'company'].find((f) => !used.has(f)) || 'city';
    state.search.filters.push({ field, value: '' });
    renderFilters();
    $(`filter-value-${state.search.filters.length - 1}`).focus();
  }

  function query() {
    return {
      phrase: $('search-phrase').value.trim(),
      filters: state.search.filters
        .filter((filter) => filter.value.trim() !== '')
        .map((filter) => ({ field: filter.field, value: filter.value.trim() })),
      include_inactive: $('include-inactive').checked,
    };
  }

  async function searchLocal() {
    if (state.search.operation) return;
    closeCustomer();
    try {
      const screen = await inSession((id) => api('POST', `/api/search/sessions/${encodeURIComponent(id)}/local`, query()));
      showBanner('');
      renderScreen(screen);
    } catch (error) {
      showSearchError(error);
    }
  }

  function showSearchError(error) {
    showNotice($('search-notice'), $('search-notice-text'), 'error', error.message);
    const field = error.field;
    if (field === 'phrase') $('search-phrase').focus();
  }

  function originBadge(origin) {
    return el('span', { class: `badge origin-${origin}`, 'data-testid': 'origin-badge', 'data-origin': origin },
      t(`origin.${origin}`));
  }

  /** How many screens the search screen has shown: tests wait for the next one. */
  let screensShown = 0;

  function renderScreen(screen, relabel) {
    state.search.screen = screen;
    if (!screen) return;
    if (!relabel) $('screen-search').dataset.shown = String(++screensShown);
    const list = screen.list === 'erp' ? 'erp' : 'local';
    const title = $('results-title');
    title.dataset.list = list;
    title.dataset.label = `list.${list}`;
    const count = (screen.customers || []).length;
    title.textContent = `${t(`list.${list}`)} (${count})`;
    // A cut list says so where the operator looks first, above the rows.
    $('results-more').hidden = !screen.more;
    $('results-more').textContent = screen.more ? t('list.more', { shown: count }) : '';
    const body = $('results-body');
    body.replaceChildren();
    (screen.customers || []).forEach((customer, index) => {
      const number = customer.number || '';
      const action = (name, allowed, refusal) => el('button', {
        type: 'button',
        class: 'small',
        'aria-label': `${t(`action.${name}`)} ${number}`,
        'aria-keyshortcuts': ROW_KEYS[name].aria,
        id: `${name}-${number}`,
        'data-testid': `row-${name}`,
        'data-action': name,
        tabindex: -1,
        disabled: !allowed,
        title: allowed ? null : refusal,
        onclick: () => openCustomer(number, name),
      }, t(`action.${name}`), el('kbd', { class: 'row-key' }, ROW_KEYS[name].shown));
      body.append(el('tr', {
        'data-testid': 'result-row',
        'data-number': number,
        'data-origin': customer.origin,
        // One row takes the Tab stop; the arrow keys move between rows.
        tabindex: index === 0 ? 0 : -1,
        'aria-label': [number, fullName(customer), customer.company, customer.city].filter(Boolean).join(', '),
        class: customer.active === false ? 'inactive' : null,
        onkeydown: (event) => rowKeys(event, number),
      },
      el('td', { class: 'mono', 'data-testid': 'cell-number' }, number),
      el('td', { 'data-testid': 'cell-name' }, fullName(customer),
        customer.active === false ? el('span', { class: 'tag' }, t('inactive')) : null),
      el('td', { 'data-testid': 'cell-company' }, customer.company || ''),
      el('td', { 'data-testid': 'cell-city' }, customer.city || ''),
      el('td', { 'data-testid': 'cell-origin' }, originBadge(customer.origin)),
      el('td', { class: 'row-actions' }, el('div', {},
        action('select', true, ''),
        action('preview', customer.previewable !== false, t('action.notPreviewable')),
        action('edit', customer.editable !== false, t('action.notEditable'))))));
    });
    $('results-empty').hidden = (screen.customers || []).length > 0;
    const notice = screen.notice;
    showNotice($('search-notice'), $('search-notice-text'), notice && notice.severity, noticeText(notice));
    $('search-notice').dataset.key = (notice && notice.key) || '';
    const button = $('search-erp');
    const mode = screen.search_button || 'hidden';
    button.dataset.state = mode;
    button.hidden = mode === 'hidden';
    button.classList.toggle('suggested', mode === 'suggested');
  }

  /** The keys that act on the focused result row, as its buttons show them. */
  const ROW_KEYS = {
    select: { key: 'Enter', shown: '⏎', aria: 'Enter' },
    preview: { key: 'p', shown: 'P', aria: 'P' },
    edit: { key: 'e', shown: 'E', aria: 'E' },
  };

  /** The keyboard on a result row: arrows move, Enter selects, P previews, E edits. */
  function rowKeys(event, number) {
    const row = event.currentTarget;
    if (event.target !== row || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = [...$('results-body').querySelectorAll('tr[data-testid=result-row]')];
    const index = rows.indexOf(row);
    const move = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1 }[event.key];
    if (move !== undefined) {
      event.preventDefault();
      if (move < 0) $('search-phrase').focus();
      else focusRow(rows[Math.min(move, rows.length - 1)]);
      return;
    }
    const name = Object.keys(ROW_KEYS).find((action) => ROW_KEYS[action].key.toLowerCase() === event.key.toLowerCase());
    if (!name) return;
    event.preventDefault();
    const button = row.querySelector(`[data-action=${name}]`);
    if (button && !button.disabled) openCustomer(number, name);
  }

  function focusRow(row) {
    if (!row) return;
    for (const other of $('results-body').querySelectorAll('tr[data-testid=result-row]')) other.tabIndex = -1;
    row.tabIndex = 0;
    row.focus();
  }

  // [Search]: the ERP search as a long operation, with the waiting window.

  async function searchErp() {
    const search = state.search;
    if (search.operation) return;
    closeCustomer();
    setSearchBusy(true);
    let operation;
    try {
      operation = await inSession((id) => api('POST', `/api/search/sessions/${encodeURIComponent(id)}/erp`, {}), true);
    } catch (error) {
      setSearchBusy(false);
      showSearchError(error);
      return;
    }
    const current = { id: operation.id, done: false, polling: new AbortController() };
    search.operation = current;
    try {
      while (operation.status !== 'done' && !current.done) {
        if (operation.status === 'waiting') showWaiting(operation);
        operation = await api('GET', `/api/operations/${encodeURIComponent(operation.id)}`, undefined, {
          query: { wait_ms: LONG_POLL_MS }, signal: current.polling.signal, background: true,
        });
      }
      if (!current.done) finishErp(current, operation);
    } catch (error) {
      if (current.done) return;
      finishErp(current, null);
      showSearchError(error);
    }
  }

  function showWaiting(operation) {
    const text = noticeText(operation.waiting_text) || t('waiting.text');
    $('waiting-text').textContent = text;
    $('waiting-cancel').disabled = false;
    if ($('waiting-dialog').hidden) openDialog('waiting-dialog', $('waiting-cancel'));
  }

  async function cancelErp() {
    const current = state.search.operation;
    if (!current || current.done) return;
    $('waiting-cancel').disabled = true;
    try {
      const operation = await api('POST', `/api/operations/${encodeURIComponent(current.id)}/cancel`, {});
      if (!current.done) finishErp(current, operation);
    } catch (error) {
      if (!current.done) {
        // The operation may have finished (404 once expired): the long poll still reports it.
        $('waiting-cancel').disabled = false;
        showBanner(error.message);
      }
    }
  }

  function finishErp(current, operation) {
    current.done = true;
    current.polling.abort();
    if (state.search.operation === current) state.search.operation = null;
    closeDialog('waiting-dialog');
    setSearchBusy(false);
    if (operation && operation.screen) renderScreen(operation.screen);
  }

  function setSearchBusy(busy) {
    const form = $('search-form');
    form.dataset.busy = busy ? 'true' : 'false';
    // The text boxes turn read-only rather than disabled, so that the one with the focus
    // keeps it and gets it back after the waiting window.
    for (const control of form.querySelectorAll('button, input, select')) {
      if (control.matches('input[type=search], input[type=text]')) control.readOnly = busy;
      else control.disabled = busy;
    }
    if (!busy) $('filter-add').disabled = state.search.filters.length >= MAX_FILTERS;
  }

  // Select, preview, edit.

  async function openCustomer(number, action) {
    closeCustomer();
    let answer;
    try {
      answer = await inSession(
        (id) => api('POST', `/api/search/sessions/${encodeURIComponent(id)}/open`, { number, action }), true);
    } catch (error) {
      showSearchError(error);
      return;
    }
    if (answer && answer.opened) {
      state.search.opened = { customer: answer.opened.customer, editable: answer.opened.editable, action };
      renderCustomer();
      // The keyboard goes where the operator works next: the first field to edit, or Close.
      const first = action === 'edit' && answer.opened.editable ? $('customer-field-first_name') : $('customer-cancel');
      if (first) first.focus();
    } else if (answer && answer.screen) {
      renderScreen(answer.screen);
    }
  }

  function renderCustomer(errors) {
    const opened = state.search.opened;
    const panel = $('customer-panel');
    if (!opened) {
      panel.hidden = true;
      return;
    }
    const { customer, action } = opened;
    const editing = action === 'edit' && opened.editable;
    panel.hidden = false;
    panel.dataset.action = action;
    panel.dataset.number = customer.number || '';
    $('customer-panel-title').textContent = t(action === 'edit' ? 'form.edit'
      : action === 'preview' ? 'form.preview' : 'form.selected');
    const form = $('customer-form');
    form.replaceChildren();
    form.append(el('div', { class: 'form-row' },
      el('label', { for: 'customer-field-number' }, t('field.number')),
      el('div', { class: 'form-value' },
        el('input', { id: 'customer-field-number', 'data-testid': 'customer-field-number', value: customer.number || '', readonly: true }),
        originBadge(customer.origin))));
    for (const name of FORM_FIELDS) {
      const id = `customer-field-${name}`;
      const error = errors && errors[name];
      form.append(el('div', { class: 'form-row' + (error ? ' has-error' : '') },
        el('label', { for: id }, fieldLabel(name)),
        el('div', { class: 'form-value' },
          el('input', {
            id,
            name,
            'data-testid': `customer-field-${name}`,
            value: customer[name] ?? '',
            readonly: !editing,
            maxlength: 200,
            'aria-invalid': error ? 'true' : null,
            'aria-describedby': error ? `${id}-error` : null,
          }),
          error ? el('span', { class: 'field-error', id: `${id}-error`, 'data-testid': 'field-error', 'data-field': name, role: 'alert' }, error) : null)));
    }
    $('customer-save').hidden = !editing;
    $('customer-save').disabled = false;
    const message = action === 'edit' && !opened.editable ? t('form.readOnly')
      : action === 'select' ? t('form.selectedNote') : '';
    setCustomerMessage(message, action === 'edit' && !opened.editable ? 'warning' : 'info');
  }

  function setCustomerMessage(text, severity) {
    const message = $('customer-message');
    message.textContent = text || '';
    message.hidden = !text;
    message.dataset.severity = severity || 'info';
  }

  function closeCustomer() {
    const opened = state.search.opened;
    state.search.opened = null;
    const panel = $('customer-panel');
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    if (hadFocus && opened) {
      const row = $('results-body').querySelector(`tr[data-number="${CSS.escape(opened.customer.number || '')}"]`);
      if (row) focusRow(row);
      else $('search-phrase').focus();
    }
  }

  async function saveCustomer() {
    const opened = state.search.opened;
    if (!opened) return;
    const changes = {};
    for (const name of FORM_FIELDS) {
      const input = $(`customer-field-${name}`);
      const value = input.value.trim();
      const before = opened.customer[name] ?? '';
      if (value === before) continue;
      changes[name] = value === '' && name !== 'last_name' && name !== 'first_name' ? null : value;
    }
    if (Object.keys(changes).length === 0) {
      setCustomerMessage(t('form.unchanged'), 'info');
      return;
    }
    $('customer-save').disabled = true;
    try {
      const saved = await api('PATCH', `/api/customers/${encodeURIComponent(opened.customer.number)}`, changes);
      opened.customer = saved && saved.number ? saved : { ...opened.customer, ...changes };
      renderCustomer();
      setCustomerMessage(t('form.saved'), 'info');
      updateRow(opened.customer);
    } catch (error) {
      if (error.status === 422 && error.field) {
        const field = error.field.replace(/-/g, '_');
        const values = {};
        for (const name of FORM_FIELDS) values[name] = $(`customer-field-${name}`).value;
        opened.customer = { ...opened.customer };
        const prefix = `${error.field}: `;
        const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
        renderCustomer({ [field]: message });
        for (const name of FORM_FIELDS) $(`customer-field-${name}`).value = values[name];
        const input = $(`customer-field-${field}`);
        if (input) input.focus();
        setCustomerMessage('', 'info');
        if (!input) setCustomerMessage(error.message, 'error');
      } else {
        setCustomerMessage(error.message, 'error');
        $('customer-save').disabled = false;
      }
    }
  }

  function updateRow(customer) {
    const screen = state.search.screen;
    if (!screen || !screen.customers) return;
    const index = screen.customers.findIndex((c) => c.number === customer.number);
    if (index >= 0) {
      screen.customers[index] = { ...screen.customers[index], ...customer };
      renderScreen(screen, true);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Web customers (seed 2, "Check web customers")
  // ---------------------------------------------------------------------------------------

  function detailsList(customer, extra) {
    const rows = [];
    const add = (label, value, key) => {
      if (value === null || value === undefined || value === '') return;
      rows.push(el('dt', {}, label), el('dd', { 'data-field': key }, String(value)));
    };
    add('ID', customer.web_id, 'web_id');
    add(t('web.linkedTo'), customer.number, 'number');
    add(fieldLabel('first_name'), customer.first_name, 'first_name');
    add(fieldLabel('last_name'), customer.last_name, 'last_name');
    add(fieldLabel('company'), customer.company, 'company');
    add(fieldLabel('tax_id'), customer.tax_id, 'tax_id');
    add(fieldLabel('email'), customer.email, 'email');
    add(fieldLabel('phone'), customer.phone, 'phone');
    add(fieldLabel('street'), customer.street, 'street');
    add(fieldLabel('postal_code'), customer.postal_code, 'postal_code');
    add(fieldLabel('city'), customer.city, 'city');
    add(fieldLabel('country'), customer.country, 'country');
    for (const [label, value, key] of extra || []) add(label, value, key);
    return rows;
  }

  async function loadWebList() {
    const web = state.web;
    try {
      const list = await api('GET', '/api/web/edits');
      web.loaded = true;
      web.list = list;
      const ids = new Set((list.entries || []).map((entry) => entry.customer.web_id));
      if (web.selected && !ids.has(web.selected)) {
        web.selected = null;
        web.candidates = null;
        web.local = null;
      }
      renderWebList();
      if (web.selected) await loadCandidates();
      else renderCandidates();
    } catch (error) {
      setOutcome('web', { severity: 'error', text: error.message });
    }
  }

  /** The line beside [Check web customers]: what reading the registrations did. */
  function renderWebRefresh() {
    const list = state.web.list;
    const refresh = $('web-refresh');
    if (list && list.refresh_error) {
      refresh.textContent = t('web.refreshFailed', { error: list.refresh_error });
      refresh.dataset.severity = 'warning';
    } else if (list && list.refreshed) {
      const refused = list.refreshed.refused || [];
      const left = refused.map((r) => `${r.web_id} (${r.reason})`).join('; ');
      refresh.textContent = t('web.refreshed', list.refreshed) + (left ? ' · ' + t('web.refused', { list: left }) : '');
      refresh.dataset.severity = refused.length ? 'warning' : 'info';
    } else {
      refresh.textContent = '';
    }
  }

  function renderWebList() {
    const web = state.web;
    renderWebRefresh();
    const list = $('web-list');
    list.replaceChildren();
    const entries = (web.list && web.list.entries) || [];
    for (const entry of entries) {
      const customer = entry.customer;
      const id = customer.web_id;
      const selected = id === web.selected;
      const item = el('li', {
        role: 'option',
        tabindex: selected ? 0 : -1,
        id: `web-entry-${id}`,
        'data-testid': 'web-entry',
        'data-web-id': id,
        'data-state': entry.state,
        'aria-selected': selected ? 'true' : 'false',
        onclick: () => selectWeb(id),
        oncontextmenu: (event) => {
          event.preventDefault();
          selectWeb(id);
          openMenu('web-menu', event.clientX, event.clientY);
        },
        onkeydown: (event) => {
          if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) {
            event.preventDefault();
            selectWeb(id);
            openMenu('web-menu', ...menuAt(item));
          } else if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            selectWeb(id);
          }
        },
      },
      el('div', { class: 'item-main' },
        el('span', { class: 'item-name' }, fullName(customer) || customer.company || id),
        el('span', { class: 'mono muted' }, id)),
      el('div', { class: 'item-sub' },
        [customer.email, customer.city].filter(Boolean).join(' · '),
        entry.state && entry.state !== 'open' ? el('span', { class: 'tag' }, t(`web.state.${entry.state}`)) : null));
      list.append(item);
    }
    $('web-list-empty').hidden = entries.length > 0;
    updateWebButtons();
  }

  /** Marks the item of `list` whose `data-key` attribute is `key` as the selected one. */
  function markSelected(list, attribute, key) {
    for (const item of list.querySelectorAll('[role=option]')) {
      const selected = item.getAttribute(attribute) === key;
      item.setAttribute('aria-selected', selected ? 'true' : 'false');
      item.tabIndex = selected ? 0 : -1;
      if (selected) item.scrollIntoView({ block: 'nearest' });
    }
  }

  async function selectWeb(id) {
    const web = state.web;
    if (web.selected === id && web.candidates) return;
    // What the last decision said was about the customer selected before.
    if (web.selected !== id) setOutcome('web', null);
    web.selected = id;
    web.local = null;
    web.candidates = null;
    web.search = '';
    $('candidate-search').value = '';
    markSelected($('web-list'), 'data-web-id', id);
    renderCandidates();
    await loadCandidates();
  }

  async function loadCandidates() {
    const web = state.web;
    const id = web.selected;
    if (!id) return;
    try {
      const found = await api('GET', `/api/web/edits/${encodeURIComponent(id)}/candidates`, undefined, {
        query: { search: web.search },
      });
      if (web.selected !== id) return;
      web.candidates = found;
      const numbers = new Set([...(found.candidates || []).map((c) => c.customer.number),
        ...(found.search || []).map((c) => c.number)]);
      if (web.local && !numbers.has(web.local)) web.local = null;
    } catch (error) {
      if (web.selected !== id) return;
      web.candidates = null;
      setOutcome('web', { severity: 'error', text: error.message });
      if (error.status === 404 || error.status === 410) {
        web.selected = null;
        await loadWebList();
        return;
      }
    }
    renderCandidates();
  }

  function candidateItem(customer, extra, group) {
    const number = customer.number;
    const selected = number === state.web.local;
    return el('li', {
      role: 'option',
      tabindex: selected ? 0 : -1,
      id: `candidate-${group}-${number}`,
      'data-testid': 'candidate',
      'data-number': number,
      'data-group': group,
      'aria-selected': selected ? 'true' : 'false',
      onclick: () => selectLocal(number),
      onkeydown: (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          selectLocal(number);
        }
      },
    },
    el('div', { class: 'item-main' },
      el('span', { class: 'item-name' }, fullName(customer) || customer.company || number),
      el('span', { class: 'mono muted' }, number),
      extra && extra.score !== undefined
        ? el('span', { class: 'score', 'data-testid': 'candidate-score', title: t('web.score') }, `${t('web.score')} ${extra.score}`)
        : null),
    el('div', { class: 'item-sub' },
      [customer.company, customer.email, [customer.postal_code, customer.city].filter(Boolean).join(' ')]
        .filter(Boolean).join(' · ')),
    extra && extra.reasons && extra.reasons.length
      ? el('ul', { class: 'reasons', 'data-testid': 'candidate-reasons' },
        extra.reasons.map((reason) => el('li', { 'data-reason': reason.reason }, reason.text || reason.reason)))
      : null);
  }

  function renderCandidates() {
    const web = state.web;
    const found = web.candidates;
    const details = $('web-details');
    const list = $('candidates');
    list.replaceChildren();
    $('candidates-pick').hidden = Boolean(web.selected);
    if (!found) {
      details.hidden = true;
      $('candidates-empty').hidden = true;
      updateWebButtons();
      return;
    }
    details.hidden = false;
    details.dataset.webId = found.web.web_id || '';
    $('web-details-fields').replaceChildren(...detailsList(found.web, [[t('web.decidedBy'), found.decided_by, 'decided_by']]));
    const candidates = found.candidates || [];
    const searched = found.search || [];
    // The operator's own search first: it answers what was just asked, where the eye is.
    if (searched.length) {
      list.append(el('li', { class: 'group-title', role: 'presentation' }, t('web.searchResults')));
      for (const customer of searched) list.append(candidateItem(customer, null, 'search'));
    }
    if (candidates.length) {
      list.append(el('li', { class: 'group-title', role: 'presentation' }, t('web.proposed')));
      for (const candidate of candidates) list.append(candidateItem(candidate.customer, candidate, 'proposed'));
    }
    $('candidates-empty').hidden = candidates.length + searched.length > 0;
    // A new list opens at its top, the best match, not where the previous one was left.
    list.scrollTop = 0;
    const chosen = list.querySelector('[aria-selected=true]');
    if (chosen) chosen.scrollIntoView({ block: 'nearest' });
    updateWebButtons();
  }

  function selectLocal(number) {
    state.web.local = number;
    markSelected($('candidates'), 'data-number', number);
    updateWebButtons();
  }

  function updateWebButtons() {
    const web = state.web;
    $('take-over-local').disabled = web.busy || !web.selected || !web.local || !web.candidates;
    $('take-over-web').disabled = web.busy || !web.selected || !web.candidates;
    $('menu-discard').disabled = web.busy || !web.selected;
    $('menu-ignore').disabled = web.busy || !web.selected;
  }

  /**
   * What the outcome bar of `screen` (`web` or `local`) says, kept rather than drawn once so
   * that a locale switch says it again: `{ severity, outcome, label, args, detail, text, message }`,
   * where `label` is a console label (with `args`), `message` the host's (rendered again by /api/texts),
   * and `text` the words as they came. `null` hides the bar.
   */
  function setOutcome(screen, outcome) {
    state[screen].outcome = outcome;
    renderOutcome(screen);
  }

  function renderOutcome(screen) {
    const outcome = state[screen].outcome;
    const bar = $(`${screen}-outcome`);
    let text = '';
    if (outcome) {
      text = outcome.label ? t(outcome.label, outcome.args) : outcome.text;
      if (outcome.detail) text += ` (${outcome.detail})`;
    }
    showNotice(bar, $(`${screen}-outcome-text`), outcome && outcome.severity, text);
    if (outcome && outcome.outcome) bar.dataset.outcome = outcome.outcome;
    else delete bar.dataset.outcome;
  }

  /** Says the outcome of `screen` again in the current locale. */
  async function relabelOutcome(screen) {
    const outcome = state[screen].outcome;
    renderOutcome(screen);
    if (!outcome || !outcome.message) return;
    try {
      const rendered = await api('POST', '/api/texts', outcome.message);
      if (state[screen].outcome !== outcome) return;
      outcome.text = rendered.text;
      renderOutcome(screen);
    } catch {
      // The words in the previous locale stay: better than none.
    }
  }

  /** The outcome of a finished decision. */
  function decisionOutcome(decision) {
    if (decision.outcome === 'cancelled') return { severity: 'warning', outcome: 'cancelled', label: 'outcome.cancelled' };
    const text = noticeText(decision.summary);
    return text
      ? { severity: 'info', outcome: decision.outcome, text, message: decision.summary_message }
      : { severity: 'info', outcome: decision.outcome, label: 'outcome.applied' };
  }

  /** The outcome of a refused action, by the error's kind. */
  function errorOutcome(error) {
    const outcome = { severity: error.kind === 'unanswered' ? 'warning' : 'error', outcome: `error-${error.kind}` };
    if (error.label) return { ...outcome, label: error.label.key, args: error.label.args };
    switch (error.kind) {
      case 'changed': return { ...outcome, label: 'error.changed' };
      case 'gone': return { ...outcome, label: 'error.gone' };
      case 'unavailable': return { ...outcome, label: 'error.unavailable', detail: error.message };
      case 'unanswered': return { ...outcome, label: 'error.unanswered' };
      default: return { ...outcome, text: error.message };
    }
  }

  async function webAction(name) {
    const web = state.web;
    const id = web.selected;
    if (!id || web.busy) return;
    closeMenus();
    const paths = {
      'take-over-local': 'take-over-local',
      'take-over-web': 'take-over-web',
      'discard': 'discard',
      'ignore': 'ignore',
    };
    const body = name === 'take-over-local' ? { number: web.local } : {};
    web.busy = true;
    updateWebButtons();
    $('screen-web').dataset.action = name;
    setOutcome('web', null);
    let outcome;
    try {
      const decision = await withPrompts(() =>
        api('POST', `/api/web/edits/${encodeURIComponent(id)}/${paths[name]}`, body));
      outcome = decisionOutcome(decision);
    } catch (error) {
      outcome = errorOutcome(error);
    } finally {
      web.busy = false;
      delete $('screen-web').dataset.action;
    }
    // The list and the candidates as they are now (a 409 means the list shows the new version).
    await loadWebList();
    setOutcome('web', outcome);
  }

  async function searchCandidates() {
    state.web.search = $('candidate-search').value.trim();
    await loadCandidates();
  }

  // ---------------------------------------------------------------------------------------
  // Local edits (seed 2, "Check local customer edits")
  // ---------------------------------------------------------------------------------------

  async function loadLocalEdits() {
    const local = state.local;
    try {
      const entries = await api('GET', '/api/web/local-edits');
      local.loaded = true;
      local.entries = Array.isArray(entries) ? entries : (entries && entries.entries) || [];
      if (local.selected && !local.entries.some((entry) => entry.edit.customer.number === local.selected)) {
        local.selected = null;
      }
      renderLocalEdits();
    } catch (error) {
      setOutcome('local', { severity: 'error', text: error.message });
    }
  }

  function renderLocalEdits() {
    const local = state.local;
    const list = $('local-edit-list');
    list.replaceChildren();
    for (const entry of local.entries) {
      const customer = entry.edit.customer;
      const number = customer.number;
      const selected = number === local.selected;
      const item = el('li', {
        role: 'option',
        tabindex: selected ? 0 : -1,
        id: `local-edit-${number}`,
        'data-testid': 'local-edit',
        'data-number': number,
        'data-web-id': entry.edit.web_id,
        'aria-selected': selected ? 'true' : 'false',
        onclick: () => selectLocalEdit(number),
        oncontextmenu: (event) => {
          event.preventDefault();
          selectLocalEdit(number);
          openMenu('local-menu', event.clientX, event.clientY);
        },
        onkeydown: (event) => {
          if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) {
            event.preventDefault();
            selectLocalEdit(number);
            openMenu('local-menu', ...menuAt(item));
          } else if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            selectLocalEdit(number);
          }
        },
      },
      el('div', { class: 'item-main' },
        el('span', { class: 'item-name' }, fullName(customer) || customer.company || number),
        el('span', { class: 'mono muted' }, number)),
      el('div', { class: 'item-sub' },
        [customer.email, customer.city, `${t('local.changedAt')} ${formatTime(entry.edit.changed_at)}`]
          .filter(Boolean).join(' · ')));
      list.append(item);
    }
    $('local-edit-list-empty').hidden = local.entries.length > 0;
    renderLocalWeb();
  }

  /** The left half: the web customer with the number of the local customer selected. */
  function renderLocalWeb() {
    const local = state.local;
    const details = $('local-web-details');
    const entry = local.entries.find((e) => e.edit.customer.number === local.selected);
    details.replaceChildren();
    if (!entry) {
      details.append(el('p', { class: 'empty' }, t('local.pick')));
    } else if (entry.web) {
      details.dataset.webId = entry.web.web_id || '';
      // With something to send, the comparison shows the web customer in full beside it.
      if (entry.sends) details.append(el('p', { class: 'mono muted' }, `ID ${entry.web.web_id || ''}`));
      else details.append(el('dl', { 'data-testid': 'local-web-fields' }, ...detailsList(entry.web)));
      details.append(sendsTable(entry.web, entry.sends));
    } else {
      details.append(el('p', { class: 'warning-text', 'data-testid': 'local-web-error' }, entry.web_error || t('local.noWeb')));
    }
    $('push-local').disabled = local.busy || !entry;
    $('menu-drop').disabled = local.busy || !entry;
  }

  /**
   * What "Take over local info" would send, field by field beside the web shop's values, so
   * that the operator decides seeing it; the rows it changes are marked.
   */
  function sendsTable(web, sends) {
    const section = el('section', { class: 'sends', 'data-testid': 'local-sends' },
      el('h3', { id: 'local-sends-title' }, t('local.sends')));
    if (!sends) {
      section.append(el('p', { class: 'empty', 'data-testid': 'local-sends-none' }, t('local.noChange')));
      return section;
    }
    const rows = ['number', ...FORM_FIELDS].map((name) => {
      const before = web[name] ?? '';
      const after = sends[name] ?? '';
      const changed = before !== after;
      return el('tr', { 'data-field': name, 'data-changed': changed ? 'true' : 'false', class: changed ? 'changed' : null },
        el('th', { scope: 'row' }, fieldLabel(name)),
        el('td', {}, before),
        el('td', {}, after, changed ? [' ', el('span', { class: 'tag changed-tag' }, t('local.changedMark'))] : null));
    });
    section.append(el('table', { class: 'grid compare', 'aria-labelledby': 'local-sends-title' },
      el('thead', {}, el('tr', {},
        el('th', { scope: 'col' }, t('local.colField')),
        el('th', { scope: 'col' }, t('local.colWeb')),
        el('th', { scope: 'col' }, t('local.colAfter')))),
      el('tbody', {}, rows)));
    return section;
  }

  function selectLocalEdit(number) {
    if (state.local.selected !== number) setOutcome('local', null);
    state.local.selected = number;
    markSelected($('local-edit-list'), 'data-number', number);
    renderLocalWeb();
  }

  async function localAction(name) {
    const local = state.local;
    const number = local.selected;
    if (!number || local.busy) return;
    closeMenus();
    local.busy = true;
    renderLocalEdits();
    setOutcome('local', null);
    let outcome;
    try {
      const decision = await withPrompts(() =>
        api('POST', `/api/web/local-edits/${encodeURIComponent(number)}/${name}`, {}));
      outcome = decisionOutcome(decision);
    } catch (error) {
      outcome = errorOutcome(error);
    } finally {
      local.busy = false;
    }
    await loadLocalEdits();
    setOutcome('local', outcome);
  }

  // ---------------------------------------------------------------------------------------
  // Status
  // ---------------------------------------------------------------------------------------

  async function loadStatus() {
    try {
      state.status = await api('GET', '/api/status');
      renderStatus();
    } catch (error) {
      showBanner(error.message);
    }
  }

  function shortHash(hash) {
    return hash ? hash.slice(0, 12) : '';
  }

  function renderStatus() {
    const status = state.status;
    if (!status) return;
    const slots = $('status-slots-body');
    slots.replaceChildren();
    for (const slot of status.slots || []) {
      const plugin = slot.plugin;
      slots.append(el('tr', { 'data-testid': 'status-slot', 'data-slot': slot.slot },
        el('td', { class: 'mono' }, slot.slot),
        el('td', {}, plugin ? plugin.name : el('span', { class: 'muted' },
          slot.compiling ? t('status.compiling', { plugin: slot.compiling.name }) : t('status.builtIn'))),
        el('td', { class: 'mono', title: plugin ? plugin.sha256 : null }, plugin ? shortHash(plugin.sha256) : ''),
        el('td', {}, plugin ? formatTime(plugin.loaded_at_ms) : ''),
        el('td', { class: 'num' }, slot.calls ?? 0),
        el('td', { class: 'num' + (slot.failures ? ' bad' : '') }, slot.failures ?? 0),
        el('td', { class: 'wrap' }, slot.last_failure || ''),
        el('td', {}, slot.on_probation ? t('status.yes') : t('status.no')),
        el('td', { class: 'wrap' }, (slot.rollbacks || []).map((rollback) =>
          el('div', {}, `${formatTime(rollback.at_ms)} ${rollback.plugin} (${shortHash(rollback.sha256)}): ${rollback.reason}`)))));
    }
    const files = $('status-files-body');
    files.replaceChildren();
    for (const file of status.files || []) {
      files.append(el('tr', { 'data-testid': 'status-file' },
        el('td', { class: 'mono wrap' }, file.path),
        el('td', { class: 'mono', title: file.sha256 }, shortHash(file.sha256))));
    }
    const reloads = $('status-reloads-body');
    reloads.replaceChildren();
    const history = [...(status.reloads || [])].reverse();
    for (const reload of history) {
      reloads.append(el('tr', { 'data-testid': 'status-reload', 'data-outcome': reload.outcome },
        el('td', {}, formatTime(reload.at_ms)),
        el('td', { class: reload.outcome === 'failed' ? 'bad' : null }, t(`status.outcome.${reload.outcome}`),
          reload.outcome === 'failed' ? el('div', { class: 'kept', 'data-testid': 'kept-serving' }, t('status.keptServing')) : null),
        el('td', { class: 'mono wrap' }, (reload.trigger || []).length ? reload.trigger.join(', ') : t('status.requested')),
        el('td', { class: 'wrap' }, [...(reload.changes || []), ...(reload.problems || [])].join('; ')),
        el('td', { class: 'num' }, reload.took_ms !== undefined ? `${Number(reload.took_ms).toFixed(1)} ms` : '')));
    }
    if (!history.length) {
      reloads.append(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, t('status.noReloads'))));
    }
  }

  async function reload() {
    const button = $('reload');
    button.disabled = true;
    const result = $('reload-result');
    try {
      const record = await api('POST', '/api/reload', {});
      result.textContent = t('status.reloaded', { outcome: t(`status.outcome.${record.outcome}`) })
        + ((record.problems || []).length ? `: ${record.problems.join('; ')}` : '')
        + (record.outcome === 'failed' ? ` — ${t('status.keptServing')}` : '');
      result.dataset.outcome = record.outcome;
    } catch (error) {
      result.textContent = error.message;
      result.dataset.outcome = 'error';
    } finally {
      button.disabled = false;
    }
    await loadStatus();
  }

  /** Synchronizes with the ERP, following the operation until it is done. */
  async function synchronize() {
    const button = $('sync');
    const result = $('sync-result');
    button.disabled = true;
    result.dataset.outcome = 'running';
    try {
      let operation = await api('POST', '/api/sync', {});
      while (operation.status !== 'done') {
        const report = operation.report || {};
        result.textContent = t('status.syncing', { listed: report.listed ?? 0, changes: report.changes ?? 0 });
        operation = await api('GET', `/api/operations/${encodeURIComponent(operation.id)}`, undefined,
          { query: { wait_ms: 1000 }, background: true });
        if (operation.status !== 'done') await sleep(300);
      }
      const report = operation.report;
      if (operation.error || !report) {
        result.textContent = t('status.syncFailed', { reason: operation.error || '' });
        result.dataset.outcome = 'error';
      } else {
        const customers = report.customers;
        result.textContent = customers
          ? t('status.synced', { ...customers, sent: report.sent, parked: report.parked })
          : t('status.syncedLocal', { sent: report.sent, parked: report.parked });
        result.dataset.outcome = report.stopped ? 'error' : 'applied';
        if (report.stopped) result.textContent += ` (${report.stopped})`;
      }
    } catch (error) {
      result.textContent = error.message;
      result.dataset.outcome = 'error';
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Tabs, locale, start
  // ---------------------------------------------------------------------------------------

  function applyLabels() {
    document.documentElement.lang = state.locale;
    for (const node of document.querySelectorAll('[data-label]')) node.textContent = t(node.dataset.label);
    for (const node of document.querySelectorAll('[data-label-title]')) node.title = t(node.dataset.labelTitle);
    for (const node of document.querySelectorAll('[data-label-aria]')) node.setAttribute('aria-label', t(node.dataset.labelAria));
    document.title = t('title');
    const workstation = state.settings && state.settings.workstation;
    $('workstation').textContent = workstation || '';
    $('workstation').title = t('workstation');
    $('locale').value = state.locale;
  }

  /** Re-renders the current screen in the new locale; lists with texts from the host are read again. */
  async function switchLocale(locale) {
    if (!LOCALES.includes(locale)) return;
    state.locale = locale;
    sessionStorage.setItem(LOCALE_KEY, locale);
    applyLabels();
    renderFilters();
    renderScreen(state.search.screen, true);
    if (state.search.session && state.search.screen) {
      // The host renders the notice on the screen again, in the new locale.
      try {
        renderScreen(await api('GET', `/api/search/sessions/${encodeURIComponent(state.search.session)}`), true);
      } catch (error) {
        // An expired session keeps the screen as it was; the next search opens a new one.
      }
    }
    renderCustomer();
    renderWebList();
    renderCandidates();
    renderLocalEdits();
    renderStatus();
    await Promise.all([relabelOutcome('web'), relabelOutcome('local'), refreshTab(state.tab, true)]);
  }

  async function refreshTab(tab, relabel) {
    if (tab === 'web') {
      if (!state.web.loaded) await loadWebList();
      else if (relabel && state.web.selected) await loadCandidates();
    } else if (tab === 'local') {
      if (!state.local.loaded) await loadLocalEdits();
      else if (relabel) await loadLocalEdits();
    } else if (tab === 'status') {
      await loadStatus();
    }
  }

  function showTab(tab) {
    state.tab = tab;
    closeMenus();
    for (const button of document.querySelectorAll('[role=tab]')) {
      const selected = button.dataset.tab === tab;
      button.setAttribute('aria-selected', selected ? 'true' : 'false');
      button.tabIndex = selected ? 0 : -1;
    }
    for (const screen of document.querySelectorAll('.screen')) screen.hidden = screen.id !== `screen-${tab}`;
    document.body.dataset.tab = tab;
    return refreshTab(tab, false);
  }

  /**
   * The arrow keys in a list of options (`list`): Down and Up move and select, Home and End
   * go to the ends; `select` is called with the option now chosen. From an unfocused list,
   * Down picks the first option.
   */
  function bindListbox(list, select) {
    list.addEventListener('keydown', (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const items = [...list.querySelectorAll('[role=option]')];
      if (!items.length) return;
      const current = items.indexOf(document.activeElement && document.activeElement.closest('[role=option]'));
      const next = { ArrowDown: current + 1, ArrowUp: Math.max(current - 1, 0), Home: 0, End: items.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const item = items[Math.min(next, items.length - 1)];
      item.focus();
      select(item);
    });
  }

  /** Puts the keyboard in `list`: on its chosen option, else on the list itself. */
  function focusList(list) {
    const chosen = list.querySelector('[role=option][aria-selected=true]');
    (chosen || list).focus();
  }

  /** The keyboard in `list`, or on `otherwise` when the list is empty. */
  function focusListOr(list, otherwise) {
    if (list.querySelector('[role=option]')) focusList(list);
    else otherwise.focus();
  }

  /** The shortcuts shown on the buttons and tabs, wherever the focus is. */
  function shortcuts(event) {
    if (openDialogs.length) return;
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      const tab = { Digit1: 'search', Digit2: 'web', Digit3: 'local', Digit4: 'status' }[event.code];
      if (tab) {
        event.preventDefault();
        showTab(tab).then(() => focusScreen(tab));
        return;
      }
      const button = {
        web: { KeyL: 'take-over-local', KeyI: 'take-over-web' },
        local: { KeyL: 'push-local' },
      }[state.tab]?.[event.code];
      if (button) {
        event.preventDefault();
        if (!$(button).disabled) $(button).click();
      }
      return;
    }
    if (event.key === 'F3' && state.tab === 'search') {
      event.preventDefault();
      const erp = $('search-erp');
      if (!erp.hidden && !erp.disabled) searchErp();
    }
  }

  /** Where the keyboard starts on each screen. */
  function focusScreen(tab) {
    if (tab === 'search') $('search-phrase').focus();
    else if (tab === 'web') focusListOr($('web-list'), $('web-check'));
    else if (tab === 'local') focusListOr($('local-edit-list'), $('local-check'));
    else $('status-refresh').focus();
  }

  function bind() {
    for (const button of document.querySelectorAll('[role=tab]')) {
      button.addEventListener('click', () => showTab(button.dataset.tab));
      button.addEventListener('keydown', (event) => {
        if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
        const tabs = [...document.querySelectorAll('[role=tab]')];
        const index = tabs.indexOf(button) + (event.key === 'ArrowRight' ? 1 : -1);
        const next = tabs[(index + tabs.length) % tabs.length];
        next.focus();
        showTab(next.dataset.tab);
      });
    }
    $('locale').addEventListener('change', (event) => switchLocale(event.target.value));
    for (const [index, button] of document.querySelectorAll('[role=tab]').entries()) button.title = `Alt+${index + 1}`;
    $('search-phrase').addEventListener('keydown', (event) => {
      const first = $('results-body').querySelector('tr[data-testid=result-row]');
      if (event.key === 'ArrowDown' && first) {
        event.preventDefault();
        focusRow(first);
      }
    });
    bindListbox($('web-list'), (item) => selectWeb(item.dataset.webId));
    bindListbox($('candidates'), (item) => selectLocal(item.dataset.number));
    bindListbox($('local-edit-list'), (item) => selectLocalEdit(item.dataset.number));
    // The two halves of "Check web customers": Right and Left cross between the lists.
    $('web-list').addEventListener('keydown', (event) => {
      if (event.key === 'ArrowRight' && !event.altKey) {
        event.preventDefault();
        focusList($('candidates'));
      }
    });
    $('candidates').addEventListener('keydown', (event) => {
      if (event.key === 'ArrowLeft' && !event.altKey) {
        event.preventDefault();
        focusList($('web-list'));
      }
    });

    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      searchLocal();
    });
    $('filter-add').addEventListener('click', addFilter);
    $('search-erp').addEventListener('click', searchErp);
    $('waiting-cancel').addEventListener('click', cancelErp);
    $('prompt-dismiss').addEventListener('click', () => {
      if (promptShown) promptShown.dismiss();
    });
    $('customer-save').addEventListener('click', saveCustomer);
    $('customer-cancel').addEventListener('click', closeCustomer);
    $('customer-close').addEventListener('click', closeCustomer);
    $('customer-form').addEventListener('submit', (event) => {
      event.preventDefault();
      if (state.search.opened && state.search.opened.action === 'edit') saveCustomer();
    });

    $('web-check').addEventListener('click', () => {
      setOutcome('web', null);
      loadWebList();
    });
    $('candidate-search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      searchCandidates();
    });
    $('take-over-local').addEventListener('click', () => webAction('take-over-local'));
    $('take-over-web').addEventListener('click', () => webAction('take-over-web'));
    $('menu-discard').addEventListener('click', () => webAction('discard'));
    $('menu-ignore').addEventListener('click', () => webAction('ignore'));

    $('local-check').addEventListener('click', () => {
      setOutcome('local', null);
      loadLocalEdits();
    });
    $('push-local').addEventListener('click', () => localAction('push'));
    $('menu-drop').addEventListener('click', () => localAction('drop'));

    $('status-refresh').addEventListener('click', loadStatus);
    $('reload').addEventListener('click', reload);
    $('sync').addEventListener('click', synchronize);

    document.addEventListener('click', (event) => {
      if (!event.target.closest('.context-menu')) closeMenus();
    });
    window.addEventListener('blur', closeMenus);
    window.addEventListener('resize', closeMenus);
    document.addEventListener('keydown', trapFocus);
    document.addEventListener('keydown', shortcuts);
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      const menu = [...document.querySelectorAll('.context-menu')].find((m) => !m.hidden);
      if (menu) {
        event.preventDefault();
        closeMenus();
        return;
      }
      const top = openDialogs[openDialogs.length - 1];
      if (top === 'prompt-dialog' && promptShown) {
        event.preventDefault();
        promptShown.dismiss();
      } else if (top === 'waiting-dialog') {
        event.preventDefault();
        cancelErp();
      } else if (!top && state.tab === 'search' && state.search.opened) {
        event.preventDefault();
        closeCustomer();
      }
    });
    for (const menu of document.querySelectorAll('.context-menu')) {
      menu.addEventListener('keydown', (event) => {
        if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
        event.preventDefault();
        const items = [...menu.querySelectorAll('button:not([disabled])')];
        const index = items.indexOf(document.activeElement) + (event.key === 'ArrowDown' ? 1 : -1);
        if (items.length) items[(index + items.length) % items.length].focus();
      });
    }
  }

  async function start() {
    bind();
    const stored = sessionStorage.getItem(LOCALE_KEY);
    if (stored && LOCALES.includes(stored)) state.locale = stored;
    applyLabels();
    try {
      state.settings = await api('GET', '/api/settings');
      if (!stored && LOCALES.includes(state.settings.locale)) state.locale = state.settings.locale;
      const offered = (state.settings.locales || LOCALES).filter((l) => LOCALES.includes(l));
      for (const option of $('locale').options) option.hidden = !offered.includes(option.value);
      showBanner('');
    } catch (error) {
      showBanner(error.message);
    }
    applyLabels();
    renderFilters();
    renderScreen({ list: 'local', customers: [], notice: null, search_button: 'hidden' });
    $('results-empty').hidden = true;
    showTab('search');
    document.body.dataset.ready = 'true';
    $('search-phrase').focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
