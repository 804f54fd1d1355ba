// The agent console. It uses only Hotline's public agent API, as a channel integrator would:
// `Microsoft.CIFramework` (initialize, the sessions and tabs, addHandler, and the Hotline
// extensions getWorkspace / focusSession / closeSession) and `Microsoft.Omnichannel`
// (getConversations, openConversation, sendMessageToConversation, linkToConversation, and
// the Hotline extensions getAgentId / getTranscript / sendTypingToConversation /
// endConversation), with the live `hotline.*` events.
// Text from the network is only ever inserted as text, never as HTML.

import init, { Microsoft } from '../pkg/hotline.js';

const HOME = 'session-id-0';
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP = '@Microsoft.Dynamics.CRM.lookuplogicalname';
/** msdyn_ocliveworkitem statuscode: Open, Active, Waiting, Closed, Wrap-up. */
const STATUS = { 1: 'Open', 2: 'Active', 3: 'Waiting', 4: 'Closed', 5: 'Wrap-up', 6: 'Resolved', 7: 'Scheduled' };
const ENTITY_LABEL = { contact: 'Contact', account: 'Account', incident: 'Case' };

const $ = (id) => document.getElementById(id);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

const ui = {
  agentName: $('agent-name'),
  error: $('console-error'),
  signIn: $('sign-in'),
  signInError: $('sign-in-error'),
  workspace: $('workspace'),
  sessionList: $('session-list'),
  sessionCount: $('session-count'),
  home: $('home-view'),
  refresh: $('refresh'),
  queueRows: $('queue-rows'),
  queueEmpty: $('queue-empty'),
  queueCount: $('queue-count'),
  queueTable: $('queue-table'),
  mineRows: $('mine-rows'),
  mineEmpty: $('mine-empty'),
  mineCount: $('mine-count'),
  mineTable: $('mine-table'),
  session: $('session-view'),
  sessionTitle: $('session-title'),
  closeSession: $('close-session'),
  tabList: $('tab-list'),
  conversation: $('conversation-view'),
  status: $('conversation-status'),
  transcript: $('transcript'),
  typing: $('typing'),
  reply: $('reply'),
  replyInput: $('reply-input'),
  links: $('links'),
  linkForm: $('link-form'),
  linkEntity: $('link-entity'),
  linkRecord: $('link-record'),
  end: $('end-conversation'),
  page: $('page-view'),
  pageTitle: $('page-title'),
  pageKind: $('page-kind'),
  pageParams: $('page-params'),
};

await init();
const CIF = Microsoft.CIFramework;
const Omnichannel = Microsoft.Omnichannel;

const state = {
  agentId: null,
  /** The last getWorkspace() snapshot. */
  workspace: { focusedSessionId: HOME, sessions: [] },
  /** The last getConversations() records, by conversation id. */
  records: new Map(),
  /** What the console knows of each opened conversation, by conversation id. */
  conversations: new Map(),
  /** The conversation the transcript list shows, and the indexes in it. */
  shown: { conversationId: null, indexes: new Set() },
};

/** The phase of a conversation: what the live events said, else its record's status. */
function phaseOf(id) {
  const known = conversation(id);
  if (known.phase) return known.phase;
  const status = state.records.get(id)?.statuscode;
  return status === 4 ? 'ended' : status === 5 ? 'wrapup' : 'open';
}

function conversation(id) {
  let known = state.conversations.get(id);
  if (!known) {
    // phase: 'open'; 'wrapup' when the customer has left (the agent ends it to close it);
    // 'ended' once it is closed.
    known = { messages: new Map(), typing: '', phase: null, draft: '', loading: null, notice: '' };
    state.conversations.set(id, known);
  }
  return known;
}

// ---- errors -------------------------------------------------------------------------------

let errorTimer = null;
function showError(error, what) {
  const text = error && typeof error === 'object' ? error.message : String(error);
  ui.error.textContent = what ? `${what}: ${text}` : text;
  ui.error.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { ui.error.hidden = true; }, 10_000);
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

// ---- sign-in --------------------------------------------------------------------------------

$('sign-in-server').value = location.protocol.startsWith('http') ? location.origin : '';

ui.signIn.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const data = new FormData(ui.signIn);
  const button = ui.signIn.querySelector('button');
  ui.signInError.textContent = '';
  button.disabled = true;
  try {
    await CIF.initialize({
      serverUrl: String(data.get('serverUrl') || location.origin).trim(),
      username: String(data.get('username') || '').trim(),
      password: String(data.get('password') || ''),
    });
    state.agentId = await Omnichannel.getAgentId();
    await addHandlers();
    ui.agentName.textContent = `Signed in as ${state.agentId}`;
    ui.signIn.hidden = true;
    ui.workspace.hidden = false;
    drawWorkspace();
    await refreshConversations();
    ui.sessionList.querySelector('button')?.focus();
  } catch (error) {
    ui.signInError.textContent = `Could not sign in: ${error.message}`;
  } finally {
    button.disabled = false;
  }
});

// ---- live events ------------------------------------------------------------------------------

/** CIF handlers get the event data as JSON text and must return a Promise. */
function handler(fn) {
  return (text) => {
    try {
      fn(typeof text === 'string' && text ? JSON.parse(text) : text);
    } catch (error) {
      console.error('agent console: a handler failed', error);
    }
    return Promise.resolve();
  };
}

async function addHandlers() {
  const redraw = handler(() => scheduleDraw());
  await CIF.addHandler('hotline.workspaceChanged', redraw);
  await CIF.addHandler('onSessionSwitched', redraw);
  await CIF.addHandler('onSessionClosed', handler((event) => {
    scheduleDraw();
    if (event?.sessionId) stopTypingFor(event.sessionId);
  }));
  await CIF.addHandler('hotline.queueChanged', handler(() => scheduleRefresh()));
  await CIF.addHandler('hotline.conversationMessage', handler((event) => {
    const known = conversation(event.conversationId);
    const message = event.message || {};
    const index = Number(message.index);
    // A gap before this message may be events the live channel does not bring (typing,
    // joins), or messages missed while it (re)connected: read the transcript again, at most
    // every few seconds.
    if (Number.isFinite(index) && index > 1 && known.messages.size > 0 && !known.messages.has(index - 1)
        && Date.now() - (known.readAt || 0) > 3000) {
      loadTranscript(event.conversationId, true);
    }
    addMessages(event.conversationId, [message]);
    if (message.from?.type === 'Client') known.typing = '';
    drawConversationLive(event.conversationId);
  }));
  await CIF.addHandler('hotline.conversationTyping', handler((event) => {
    const known = conversation(event.conversationId);
    known.typing = event.isTyping ? 'typing' : '';
    drawConversationLive(event.conversationId);
  }));
  await CIF.addHandler('hotline.conversationEnded', handler((event) => {
    const known = conversation(event.conversationId);
    known.typing = '';
    if (event.status === 'wrapup') {
      known.phase = 'wrapup';
      known.notice = 'The customer left the chat. End the conversation to close it.';
    } else if (known.phase !== 'ended') {
      known.phase = 'ended';
      known.notice = 'The conversation has ended.';
    }
    drawConversationLive(event.conversationId);
    scheduleDraw();
    scheduleRefresh();
  }));
  await CIF.addHandler('hotline.sendBox', handler((event) => {
    // sendMessageToConversation(text) with toSendBox: the text waits in the reply box.
    const known = conversation(event.conversationId);
    known.draft = String(event.message ?? '');
    if (displayedConversation() === event.conversationId) {
      ui.replyInput.value = known.draft;
      ui.replyInput.focus();
    }
  }));
}

// ---- the queue and my conversations ------------------------------------------------------------

let refreshing = null;
let refreshAgain = false;

function scheduleRefresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = refreshConversations().finally(() => {
    refreshing = null;
    if (refreshAgain) {
      refreshAgain = false;
      scheduleRefresh();
    }
  });
}

async function refreshConversations() {
  if (!state.agentId) return;
  try {
    const records = await Omnichannel.getConversations({
      agentId: state.agentId,
      includeQueue: true,
      status: [1, 2, 3, 5],
      attributes: ['msdyn_title', 'subject', 'msdyn_activeagentid', 'msdyn_channel', 'msdyn_customer', 'msdyn_issueid'],
      orderBy: [{ attributeName: 'createdon', descending: false }],
    });
    state.records = new Map(records.map((record) => [record.msdyn_ocliveworkitemid, record]));
    drawWorklists();
    drawLinks();
  } catch (error) {
    showError(error, 'Could not load the conversations');
  }
}

function statusText(record) {
  return record[`statuscode${FORMATTED}`] || STATUS[record.statuscode] || String(record.statuscode ?? '');
}

function timeText(value) {
  const when = value ? new Date(value) : new Date();
  if (Number.isNaN(when.getTime())) return '';
  return when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "11:27 (4 min)": when a queued conversation came in, and how long it has waited. */
function waitingText(value) {
  const since = timeText(value);
  const started = value ? new Date(value).getTime() : NaN;
  if (!since || Number.isNaN(started)) return since;
  const minutes = Math.max(0, Math.floor((Date.now() - started) / 60000));
  return `${since} (${minutes < 1 ? 'under a minute' : `${minutes} min`})`;
}

function sessionOf(conversationId) {
  return state.workspace.sessions.find((s) => s.conversationId === conversationId);
}

function worklistRow(record, action, waiting = false) {
  const row = el('tr');
  const id = record.msdyn_ocliveworkitemid;
  row.dataset.conversationId = id;
  const who = el('td');
  who.append(el('span', 'worklist__title', record.msdyn_title || id));
  row.append(who, el('td', `status status--${record.statuscode}`, statusText(record)),
    el('td', null, waiting ? waitingText(record.createdon) : timeText(record.createdon)));
  const cell = el('td', 'worklist__action');
  const button = el('button', null, action);
  button.type = 'button';
  button.setAttribute('aria-label', `${action} ${record.msdyn_title || id}`);
  button.addEventListener('click', () => openConversation(id, button));
  cell.append(button);
  row.append(cell);
  return row;
}

// Waiting times move on even when nothing else happens.
setInterval(() => {
  if (state.records.size) drawWorklists();
}, 30_000);

function drawWorklists() {
  const records = [...state.records.values()];
  const queue = records.filter((r) => !r.msdyn_activeagentid);
  const mine = records.filter((r) => r.msdyn_activeagentid && r.msdyn_activeagentid === state.agentId);
  ui.queueRows.replaceChildren(...queue.map((r) => worklistRow(r, 'Open', true)));
  ui.mineRows.replaceChildren(...mine.map((r) => worklistRow(r, sessionOf(r.msdyn_ocliveworkitemid) ? 'Show' : 'Open')));
  ui.queueCount.textContent = queue.length ? `(${queue.length})` : '';
  ui.mineCount.textContent = mine.length ? `(${mine.length})` : '';
  ui.queueEmpty.hidden = queue.length > 0;
  ui.queueTable.hidden = queue.length === 0;
  ui.mineEmpty.hidden = mine.length > 0;
  ui.mineTable.hidden = mine.length === 0;
}

async function openConversation(id, button) {
  if (button) button.disabled = true;
  try {
    await Omnichannel.openConversation(id);
    clearError();
    scheduleRefresh();
    // The session is in front: the reply box takes the keyboard (the button is gone).
    setTimeout(() => {
      if (displayedConversation() === id && !ui.replyInput.disabled) ui.replyInput.focus();
    }, 0);
  } catch (error) {
    showError(error, 'Could not open the conversation');
    scheduleRefresh();
  } finally {
    if (button) button.disabled = false;
  }
}

ui.refresh.addEventListener('click', () => scheduleRefresh());

// ---- the workspace: session bar, tabs --------------------------------------------------------------

let drawPending = false;
function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  queueMicrotask(() => {
    drawPending = false;
    drawWorkspace();
  });
}

function focusedSession() {
  const { sessions, focusedSessionId } = state.workspace;
  return sessions.find((s) => s.sessionId === focusedSessionId) || sessions[0];
}

function displayedConversation() {
  const session = focusedSession();
  if (!session || session.isHome) return null;
  const tab = session.tabs.find((t) => t.tabId === session.focusedTabId);
  return tab && tab.isAnchor ? session.conversationId : null;
}

/** Keeps keyboard focus on the "same" control when a list is drawn again. */
function keepFocus(container, draw) {
  const active = document.activeElement;
  const key = container.contains(active) ? active?.dataset.key : null;
  draw();
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

function drawWorkspace() {
  if (!state.agentId) return;
  const previous = displayedConversation();
  state.workspace = CIF.getWorkspace();
  drawSessionBar();
  const session = focusedSession();
  const home = !session || session.isHome;
  ui.home.hidden = !home;
  ui.session.hidden = home;
  if (!home) drawSession(session);
  const now = displayedConversation();
  if (previous && previous !== now) saveDraft(previous);
  if (now && previous !== now) restoreDraft(now);
  drawWorklists();
}

function drawSessionBar() {
  const { sessions, focusedSessionId } = state.workspace;
  keepFocus(ui.sessionList, () => {
    ui.sessionList.replaceChildren(...sessions.map((session) => {
      const item = el('li', 'sessions__item');
      const focused = session.sessionId === focusedSessionId;
      item.classList.toggle('is-focused', focused);
      const button = el('button', 'sessions__button');
      button.type = 'button';
      button.dataset.key = `session:${session.sessionId}`;
      if (focused) button.setAttribute('aria-current', 'true');
      const title = session.isHome ? 'Home' : session.title || session.sessionId;
      button.append(el('span', 'sessions__title', title));
      const notes = [];
      const phase = session.conversationId ? phaseOf(session.conversationId) : 'open';
      if (phase !== 'open') {
        button.append(el('span', 'sessions__tag', phase === 'ended' ? 'Ended' : 'Wrap-up'));
        notes.push(phase === 'ended' ? 'ended' : 'customer left');
      }
      if (session.unread > 0) {
        const badge = el('span', 'badge', String(session.unread));
        badge.setAttribute('aria-hidden', 'true');
        button.append(badge);
        notes.push(`${session.unread} new ${session.unread === 1 ? 'message' : 'messages'}`);
      }
      if (session.focusRequested) {
        button.append(el('span', 'dot'));
        notes.push('wants attention');
      }
      if (session.kpiBreach) {
        button.append(el('span', 'sessions__tag sessions__tag--kpi', 'KPI'));
        notes.push('KPI breached');
      }
      button.setAttribute('aria-label', notes.length ? `${title} (${notes.join(', ')})` : title);
      button.addEventListener('click', () => {
        CIF.focusSession(session.sessionId).catch((error) => showError(error, 'Could not switch'));
      });
      item.append(button);
      if (!session.isHome) {
        const close = el('button', 'sessions__close', '×');
        close.type = 'button';
        close.dataset.key = `close:${session.sessionId}`;
        close.setAttribute('aria-label', `Close session ${title}`);
        close.addEventListener('click', () => closeSession(session.sessionId));
        item.append(close);
      }
      return item;
    }));
  });
  const open = sessions.filter((s) => !s.isHome).length;
  ui.sessionCount.textContent = open ? `${open} of 10 sessions` : '';
}

// Up and down arrows move between the session buttons.
ui.sessionList.addEventListener('keydown', (key) => {
  if (key.key !== 'ArrowDown' && key.key !== 'ArrowUp') return;
  const buttons = [...ui.sessionList.querySelectorAll('.sessions__button')];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  key.preventDefault();
  const next = buttons[(at + (key.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
  next.focus();
});

async function closeSession(sessionId) {
  const session = state.workspace.sessions.find((s) => s.sessionId === sessionId);
  if (session?.conversationId) stopTyping(session.conversationId);
  try {
    await CIF.closeSession(sessionId);
  } catch (error) {
    showError(error, 'Could not close the session');
  }
}

ui.closeSession.addEventListener('click', () => {
  const session = focusedSession();
  if (session && !session.isHome) closeSession(session.sessionId);
});

function drawSession(session) {
  ui.sessionTitle.textContent = session.title || session.sessionId;
  keepFocus(ui.tabList, () => {
    ui.tabList.replaceChildren(...session.tabs.map((tab) => {
      const wrap = el('span', 'tabs__item');
      const selected = tab.tabId === session.focusedTabId;
      wrap.classList.toggle('is-selected', selected);
      const button = el('button', 'tabs__tab', tab.title || tab.templateName);
      button.type = 'button';
      button.id = `tab-${tab.tabId}`;
      button.dataset.key = `tab:${tab.tabId}`;
      button.setAttribute('role', 'tab');
      button.setAttribute('aria-selected', String(selected));
      button.setAttribute('aria-controls', tab.isAnchor ? 'conversation-view' : 'page-view');
      button.tabIndex = selected ? 0 : -1;
      button.addEventListener('click', () => {
        CIF.focusTab(tab.tabId).catch((error) => showError(error, 'Could not show the tab'));
      });
      wrap.append(button);
      if (!tab.isAnchor) {
        const close = el('button', 'tabs__close', '×');
        close.type = 'button';
        close.dataset.key = `close-tab:${tab.tabId}`;
        close.setAttribute('aria-label', `Close tab ${tab.title || tab.templateName}`);
        close.addEventListener('click', () => {
          CIF.closeTab(tab.tabId).catch((error) => showError(error, 'Could not close the tab'));
        });
        wrap.append(close);
      }
      return wrap;
    }));
  });
  const tab = session.tabs.find((t) => t.tabId === session.focusedTabId) || session.tabs[0];
  const isConversation = Boolean(tab?.isAnchor && session.conversationId);
  ui.conversation.hidden = !isConversation;
  ui.page.hidden = isConversation;
  ui.closeSession.setAttribute('aria-label', `Close session ${session.title || session.sessionId}`);
  if (isConversation) {
    ui.conversation.setAttribute('aria-labelledby', `tab-${tab.tabId}`);
    drawConversation(session);
  } else if (tab) {
    ui.page.setAttribute('aria-labelledby', `tab-${tab.tabId}`);
    drawPage(tab);
  }
}

// Left and right arrows move between the tabs (and show them), as in any tab list.
ui.tabList.addEventListener('keydown', (key) => {
  if (key.key !== 'ArrowRight' && key.key !== 'ArrowLeft') return;
  const tabs = [...ui.tabList.querySelectorAll('[role="tab"]')];
  const at = tabs.indexOf(document.activeElement);
  if (at < 0) return;
  key.preventDefault();
  const next = tabs[(at + (key.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
  next.focus();
  next.click();
});

/** A tab that is not the conversation: what the page would open, with its parameters. */
function drawPage(tab) {
  ui.pageTitle.textContent = tab.title || tab.templateName;
  const kinds = {
    search: 'Search', entityrecord: 'Record', entitylist: 'Record list', dashboard: 'Dashboard',
    webresource: 'Web resource', thirdpartywebsite: 'Website', custom: 'Custom page',
  };
  ui.pageKind.textContent = `${kinds[tab.pageType] || tab.pageType} page · template ${tab.templateName}`;
  const rows = [];
  for (const [name, value] of Object.entries(tab.parameters || {})) {
    rows.push(el('dt', null, name));
    rows.push(el('dd', null, typeof value === 'string' ? value : JSON.stringify(value)));
  }
  ui.pageParams.replaceChildren(...rows);
}

// ---- the conversation --------------------------------------------------------------------------

function addMessages(conversationId, messages) {
  const known = conversation(conversationId);
  for (const message of messages) {
    const index = Number(message?.index);
    if (!Number.isFinite(index) || known.messages.has(index)) continue;
    known.messages.set(index, message);
  }
}

function loadTranscript(conversationId, again = false) {
  const known = conversation(conversationId);
  if (known.loading && !again) return known.loading;
  known.readAt = Date.now();
  known.loading = Omnichannel.getTranscript(conversationId)
    .then((transcript) => {
      addMessages(conversationId, transcript?.messages || []);
      drawConversationLive(conversationId);
    })
    .catch((error) => showError(error, 'Could not read the transcript'));
  return known.loading;
}

function messageItem(message, customerName) {
  const from = message.from || {};
  const who = from.nickname || (from.type === 'Client' ? customerName : from.type) || '';
  let kind = 'system';
  let text = '';
  switch (message.type) {
    case 'Message':
      kind = from.type === 'Client' ? 'customer' : from.type === 'Agent' || from.type === 'Supervisor' ? 'agent' : 'system';
      text = String(message.text ?? '');
      break;
    case 'CustomNotice':
      text = String(message.text ?? '');
      break;
    case 'ParticipantJoined':
      text = `${who} joined the chat`;
      break;
    case 'ParticipantLeft':
      text = `${who} left the chat`;
      break;
    case 'NicknameUpdated':
      text = `${who} is now known as ${message.text ?? ''}`;
      break;
    default:
      return null; // typing notices and anything unknown
  }
  const item = el('li', `msg msg--${kind}`);
  item.dataset.index = String(message.index);
  const meta = el('span', 'msg__meta', kind === 'system' ? timeText(message.utcTime) : `${kind === 'agent' && from.nickname === state.agentId ? 'You' : who} · ${timeText(message.utcTime)}`);
  item.append(meta, document.createTextNode(text));
  return item;
}

function customerNameOf(session) {
  return session?.customerName || 'The customer';
}

/** Draws the transcript of the displayed conversation: all of it, or only what is new. */
function drawTranscript(conversationId, customerName) {
  const known = conversation(conversationId);
  const indexes = [...known.messages.keys()].sort((a, b) => a - b);
  const shown = state.shown;
  const atBottom = ui.transcript.scrollHeight - ui.transcript.scrollTop - ui.transcript.clientHeight < 40;
  const fresh = indexes.filter((i) => !shown.indexes.has(i));
  const inOrder = shown.conversationId === conversationId
    && (shown.indexes.size === 0 || fresh.every((i) => i > Math.max(...shown.indexes)));
  if (!inOrder) {
    shown.conversationId = conversationId;
    shown.indexes = new Set();
    ui.transcript.replaceChildren();
  }
  for (const index of inOrder ? fresh : indexes) {
    const item = messageItem(known.messages.get(index), customerName);
    shown.indexes.add(index);
    if (item) ui.transcript.append(item);
  }
  if (!inOrder || atBottom || fresh.length) ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function drawConversation(session) {
  const id = session.conversationId;
  const known = conversation(id);
  if (!known.loaded) {
    known.loaded = true;
    loadTranscript(id);
    // The live channel is subscribed while the session opens: read once more a moment later
    // so that nothing said in between is missed.
    setTimeout(() => loadTranscript(id, true), 1500);
  }
  const name = customerNameOf(session);
  drawTranscript(id, name);
  const record = state.records.get(id);
  const phase = phaseOf(id);
  const notices = { wrapup: 'The customer left the chat. End the conversation to close it.', ended: 'The conversation has ended.' };
  ui.status.textContent = phase === 'open'
    ? (record ? `Status: ${statusText(record)}` : '')
    : known.notice || notices[phase];
  ui.status.classList.toggle('is-ended', phase !== 'open');
  ui.typing.textContent = known.typing && phase === 'open' ? `${name} is typing…` : '';
  ui.replyInput.disabled = phase !== 'open';
  ui.reply.querySelector('button').disabled = phase !== 'open';
  ui.end.disabled = phase === 'ended';
  ui.linkForm.querySelector('button').disabled = phase === 'ended';
  drawLinks();
}

/** Redraws the conversation if it is the one in front. */
function drawConversationLive(conversationId) {
  if (displayedConversation() === conversationId) {
    const session = focusedSession();
    drawConversation(session);
  } else {
    scheduleDraw();
  }
}

function drawLinks() {
  const id = displayedConversation();
  if (!id) return;
  const record = state.records.get(id) || {};
  const rows = [];
  const link = (label, attribute) => {
    const value = record[attribute];
    rows.push(el('dt', null, label));
    if (!value) {
      rows.push(el('dd', 'links__none', 'None'));
      return;
    }
    const entity = record[`${attribute}${LOOKUP}`];
    const name = record[`${attribute}${FORMATTED}`];
    const text = `${ENTITY_LABEL[entity] || entity || ''} ${name && name !== value ? `${name} (${value})` : value}`.trim();
    rows.push(el('dd', null, text));
  };
  link('Customer', 'msdyn_customer');
  link('Case', 'msdyn_issueid');
  ui.links.replaceChildren(...rows);
}

function saveDraft(conversationId) {
  conversation(conversationId).draft = ui.replyInput.value;
}

function restoreDraft(conversationId) {
  ui.replyInput.value = conversation(conversationId).draft || '';
}

ui.reply.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const id = displayedConversation();
  const text = ui.replyInput.value.trim();
  if (!id || !text) return;
  ui.replyInput.value = '';
  conversation(id).draft = '';
  stopTyping(id);
  try {
    const sent = await Omnichannel.sendMessageToConversation(text, false, id);
    clearError();
    // Normally the message comes back on the live channel; if not, read the transcript.
    const index = Number(sent?.index);
    setTimeout(() => {
      if (Number.isFinite(index) && !conversation(id).messages.has(index)) loadTranscript(id, true);
    }, 1000);
  } catch (error) {
    if (!ui.replyInput.value) ui.replyInput.value = text;
    showError(error, 'Not sent');
  }
});

// The agent's typing, as the customer sees it: on while typing, off after 2 s of quiet.
const typing = new Map(); // conversationId -> timer

ui.replyInput.addEventListener('input', () => {
  const id = displayedConversation();
  if (!id || phaseOf(id) !== 'open') return;
  if (!typing.has(id)) Omnichannel.sendTypingToConversation(true, id).catch(() => {});
  clearTimeout(typing.get(id));
  typing.set(id, setTimeout(() => stopTyping(id), 2000));
});

function stopTyping(conversationId) {
  if (!typing.has(conversationId)) return;
  clearTimeout(typing.get(conversationId));
  typing.delete(conversationId);
  if (phaseOf(conversationId) === 'open') {
    Omnichannel.sendTypingToConversation(false, conversationId).catch(() => {});
  }
}

function stopTypingFor(sessionId) {
  for (const [id] of typing) {
    const session = sessionOf(id);
    if (!session || session.sessionId === sessionId) stopTyping(id);
  }
}

ui.linkForm.addEventListener('submit', async (submit) => {
  submit.preventDefault();
  const id = displayedConversation();
  const entity = ui.linkEntity.value;
  const recordId = ui.linkRecord.value.trim();
  if (!id) return;
  if (!recordId) {
    showError('Enter the id of the record to link');
    ui.linkRecord.focus();
    return;
  }
  const button = ui.linkForm.querySelector('button');
  button.disabled = true;
  try {
    await Omnichannel.linkToConversation(entity, recordId, id);
    clearError();
    ui.linkRecord.value = '';
    await refreshConversations();
  } catch (error) {
    showError(error, 'Could not link the record');
  } finally {
    button.disabled = phaseOf(id) === 'ended';
  }
});

ui.end.addEventListener('click', async () => {
  const id = displayedConversation();
  if (!id) return;
  ui.end.disabled = true;
  stopTyping(id);
  try {
    await Omnichannel.endConversation(id);
    const known = conversation(id);
    known.phase = 'ended';
    known.typing = '';
    known.notice = 'You ended the conversation.';
    clearError();
    drawConversationLive(id);
    scheduleDraw();
    scheduleRefresh();
  } catch (error) {
    ui.end.disabled = false;
    showError(error, 'Could not end the conversation');
  }
});
