// The Hotline chat window: a launcher button and a support chat panel, added to any page by
// one script tag (options in its data- attributes, see chat-window-settings.js):
//
//   <script type="module" src="/www/chat-window.js" data-storage="localStorage"></script>
//
// It uses only Hotline's public chat API (`chat.startSession`, `chat.restoreSession`, the
// session's commands and `on…` events), as any page author would. Text from the network is
// only ever inserted as text (textContent, text nodes), never as HTML.

import init, { chat } from '../pkg/hotline.js';
import { findScript, readSettings } from './chat-window-settings.js';
import { buildWidget, messageItem } from './chat-window-view.js';

const script = findScript(import.meta.url);
const settings = readSettings(script?.dataset, {
  origin: location.origin,
  base: location.href,
  warn: (message) => console.warn(message),
});

/** sessionStorage key: whether the panel was open (so a reload keeps it as it was). */
const OPEN_KEY = 'hotline-chat-window:open';
/** A typing indicator nobody turns off goes away by itself after this long. */
const TYPING_TIMEOUT_MS = 30_000;
/** The visitor stops "typing" after this long without a key. */
const TYPING_IDLE_MS = 2_000;
/** Consecutive messages of one sender this close together share one meta line. */
const GROUP_MS = 3 * 60_000;

const ui = buildWidget(settings);

// ---- state ------------------------------------------------------------------------------------

let session = null;
/** 'loading' | 'form' | 'session' */
let view = 'loading';
let ended = false;
let isOpen = false;
let unread = 0;
/** The event indexes in the transcript: restored and live events are each shown once. */
const shown = new Set();
/** Messages sent and not yet back from the server: `{text, item}`, oldest first. */
const pending = [];
/** The agents in the chat, by party id (or name). */
const agents = new Map();
/** Unsubscribe functions of the current session's callbacks. */
let listeners = [];
let typingTimer = null;
let typingSent = false;
let agentTypingTimer = null;
let bannerTimer = null;

// ---- the panel --------------------------------------------------------------------------------

function rememberOpen(open) {
  try { sessionStorage.setItem(OPEN_KEY, open ? '1' : '0'); } catch { /* storage disabled */ }
}

function wasOpen() {
  try { return sessionStorage.getItem(OPEN_KEY); } catch { return null; }
}

function setUnread(count) {
  unread = count;
  ui.unread.textContent = count > 99 ? '99+' : String(count);
  ui.unread.hidden = count === 0;
  drawLauncher();
}

function drawLauncher() {
  ui.launcher.setAttribute('aria-expanded', String(isOpen));
  const label = isOpen ? 'Minimize chat' : 'Open chat';
  const news = !isOpen && unread > 0 ? `, ${unread} unread message${unread === 1 ? '' : 's'}` : '';
  ui.launcher.setAttribute('aria-label', label + news);
  ui.root.classList.toggle('hotline-chat--open', isOpen);
}

/** Opens the panel; `focus` moves the keyboard focus into it (only when the visitor asked). */
function openPanel({ focus = true } = {}) {
  isOpen = true;
  ui.panel.hidden = false;
  rememberOpen(true);
  setUnread(0);
  scrollToEnd(true);
  if (focus) focusView();
}

function closePanel({ focusLauncher = true } = {}) {
  isOpen = false;
  ui.panel.hidden = true;
  rememberOpen(false);
  drawLauncher();
  if (focusLauncher) ui.launcher.focus();
}

function focusView() {
  if (!isOpen) return;
  if (view === 'form') {
    (ui.nameInput.value ? ui.subjectInput : ui.nameInput).focus();
  } else if (view === 'session') {
    (ended ? ui.newChat : ui.input).focus();
  } else {
    ui.close.focus();
  }
}

function showView(next) {
  view = next;
  ui.root.dataset.view = next;
  ui.loading.hidden = next !== 'loading';
  ui.startForm.hidden = next !== 'form';
  ui.sessionView.hidden = next !== 'session';
  ui.end.hidden = next !== 'session' || ended;
  if (next === 'form') setStatus('');
}

function setStatus(text) {
  ui.status.textContent = text;
}

/** The agent's initial in the header, or the chat icon while nobody has joined. */
function drawAgents() {
  const names = [...agents.values()];
  ui.avatar.classList.toggle('hl-avatar--agent', names.length > 0);
  if (names.length > 0) {
    ui.avatar.textContent = [...names[0].trim()][0]?.toUpperCase() || '?';
  } else if (!ui.avatar.querySelector('svg')) {
    ui.avatar.replaceChildren(ui.avatarIcon);
  }
  if (!ended && view === 'session') {
    setStatus(names.length ? `Chatting with ${names.join(', ')}` : 'Waiting for an agent…');
  }
}

// ---- banner -----------------------------------------------------------------------------------

function setBanner(text, tone = 'info', hideAfterMs = 0) {
  clearTimeout(bannerTimer);
  ui.banner.textContent = text || '';
  ui.banner.dataset.tone = tone;
  ui.banner.hidden = !text;
  if (text && hideAfterMs) bannerTimer = setTimeout(() => { ui.banner.hidden = true; }, hideAfterMs);
}

// ---- transcript -------------------------------------------------------------------------------

function nearEnd() {
  const list = ui.transcript;
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function scrollToEnd(force) {
  if (force || nearEnd()) ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

/** Marks `item` as following a message of the same sender shortly before (one meta line). */
function group(item) {
  const previous = item.previousElementSibling;
  const follows = previous && previous.dataset.sender === item.dataset.sender
    && item.dataset.sender !== 'system'
    && Number(item.dataset.time) - Number(previous.dataset.time) < GROUP_MS;
  if (follows) item.dataset.grouped = '';
  else delete item.dataset.grouped;
}

function append(item) {
  const stick = nearEnd();
  ui.transcript.append(item);
  group(item);
  scrollToEnd(stick);
}

/** Whether an event with this index was shown already; records it if not. */
function seen(index) {
  if (index === undefined || index === null) return false;
  if (shown.has(index)) return true;
  shown.add(index);
  return false;
}

function addSystem(text, timestamp, index) {
  append(messageItem({ kind: 'system', text, timestamp, index }));
}

function clearTranscript() {
  ui.transcript.replaceChildren();
  shown.clear();
  pending.length = 0;
  agents.clear();
  ui.typing.textContent = '';
  setBanner('');
}

// ---- sending ----------------------------------------------------------------------------------

function sendText(text, item) {
  const isUrl = /^https?:\/\/\S+$/i.test(text);
  const entry = { text, item };
  pending.push(entry);
  item.dataset.state = 'pending';
  const meta = item.querySelector('.msg__meta');
  meta.replaceChildren(document.createTextNode('Sending…'));
  let sent;
  try {
    sent = session.sendMessage({ message: text, type: isUrl ? 'url' : 'text' });
  } catch (error) {
    failed(entry, error.message);
    return;
  }
  sent.fail((failure) => failed(entry, failure.error?.description || failure.message));
}

function failed(entry, why) {
  const at = pending.indexOf(entry);
  if (at < 0) return;
  pending.splice(at, 1);
  const { item, text } = entry;
  item.dataset.state = 'failed';
  const meta = item.querySelector('.msg__meta');
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'msg__retry';
  retry.textContent = 'Retry';
  retry.addEventListener('click', () => {
    if (!session || ended) return;
    sendText(text, item);
    ui.input.focus();
  });
  meta.replaceChildren(document.createTextNode('Not sent. '), retry);
  meta.title = why || '';
}

const normalise = (text) => text.replace(/\r\n?/g, '\n').replace(/\s+/g, ' ').trim();

/** The visitor's message came back from the server: the pending item becomes the real one. */
function confirmSent(event) {
  let at = pending.findIndex((entry) => entry.text === event.content.text);
  if (at < 0) at = pending.findIndex((entry) => normalise(entry.text) === normalise(event.content.text));
  if (at < 0) return false;
  const [{ item }] = pending.splice(at, 1);
  const fresh = messageItem({
    kind: 'client', who: 'You', text: event.content.text, timestamp: event.timestamp,
    index: event.index, isUrl: event.content.type === 'url',
  });
  // In the server's order (as a reload would show it): an agent's message that arrived while
  // this one was on its way may come before it. Messages still on their way stay last.
  const neighbour = item.nextElementSibling;
  item.remove();
  const before = [...ui.transcript.children].find((li) => (li.dataset.index === undefined
    ? li.dataset.state !== undefined
    : Number(li.dataset.index) > event.index));
  if (before) before.before(fresh);
  else ui.transcript.append(fresh);
  for (const node of [fresh, fresh.nextElementSibling, neighbour]) if (node) group(node);
  return true;
}

function stopTyping() {
  clearTimeout(typingTimer);
  if (typingSent && session && !ended) {
    try { session.sendTyping({ isTyping: false }).fail(() => {}); } catch { /* ended */ }
  }
  typingSent = false;
}

function resizeInput() {
  ui.input.style.height = 'auto';
  ui.input.style.height = `${Math.min(ui.input.scrollHeight, 140)}px`;
}

// ---- the session ------------------------------------------------------------------------------

function partyKey(party) {
  return party.id === null || party.id === undefined ? `name:${party.name}` : `id:${party.id}`;
}

function onAgentConnected(event) {
  if (event.party.type === 'Client') {
    // The visitor's own join: the start of the chat.
    if (!seen(event.index)) addSystem('Chat started', event.timestamp, event.index);
    return;
  }
  if (seen(event.index)) return;
  agents.set(partyKey(event.party), event.party.name || 'An agent');
  drawAgents();
  addSystem(`${event.party.name || 'An agent'} joined the chat`, event.timestamp, event.index);
}

function onAgentDisconnected(event) {
  if (event.party.type === 'Client' || seen(event.index)) return;
  agents.delete(partyKey(event.party));
  drawAgents();
  if (ui.typing.dataset.party === partyKey(event.party)) ui.typing.textContent = '';
  addSystem(`${event.party.name || 'The agent'} left the chat`, event.timestamp, event.index);
}

function onAgentTyping(event) {
  if (event.party.type === 'Client' || ended) return;
  clearTimeout(agentTypingTimer);
  if (event.isTyping) {
    ui.typing.textContent = `${event.party.name || 'The agent'} is typing…`;
    ui.typing.dataset.party = partyKey(event.party);
    agentTypingTimer = setTimeout(() => { ui.typing.textContent = ''; }, TYPING_TIMEOUT_MS);
  } else {
    ui.typing.textContent = '';
  }
}

function onMessageReceived(event) {
  if (seen(event.index)) return;
  const type = event.party.type || {};
  const isNotice = event.content.type === 'notice';
  const kind = type.client && !isNotice ? 'client' : isNotice || (!type.agent && !type.external) ? 'system' : 'agent';
  if (kind === 'client' && confirmSent(event)) return;
  if (kind === 'agent' && ui.typing.dataset.party === partyKey(event.party)) {
    ui.typing.textContent = '';
  }
  append(messageItem({
    kind,
    who: kind === 'client' ? 'You' : event.party.name || 'Agent',
    text: event.content.text,
    timestamp: event.timestamp,
    index: event.index,
    isUrl: event.content.type === 'url',
  }));
  if (!isOpen && !event.restored && kind !== 'client') setUnread(unread + 1);
}

function onSessionEnded(event) {
  const reason = event.reason || {};
  const why = reason.agent ? 'The agent ended the chat.'
    : reason.leaveRequest ? 'You ended the chat.'
      : 'The chat ended because of a problem.';
  showEnded(why);
}

function showEnded(why) {
  if (ended) return;
  ended = true;
  stopTyping();
  session = null;
  for (const unsubscribe of listeners) unsubscribe();
  listeners = [];
  clearTimeout(agentTypingTimer);
  ui.typing.textContent = '';
  agents.clear();
  drawAgents();
  setBanner('');
  setStatus('Chat ended');
  addSystem(why);
  for (const { item } of pending.splice(0)) item.remove();
  // Focus in the panel (or lost with the End button) moves to "Start a new chat".
  const active = document.activeElement;
  const hadFocus = isOpen && (ui.panel.contains(active) || !active || active === document.body);
  ui.compose.hidden = true;
  ui.end.hidden = true;
  ui.ended.hidden = false;
  ui.root.dataset.view = 'ended';
  ui.avatar.classList.remove('hl-avatar--agent');
  scrollToEnd(true);
  if (hadFocus) ui.newChat.focus();
}

function wire(newSession) {
  session = newSession;
  ended = false;
  ui.compose.hidden = false;
  ui.ended.hidden = true;
  showView('session');
  drawAgents();
  ui.transcript.setAttribute('aria-busy', 'true');
  // A callback registered now first gets every earlier event (the restored transcript).
  listeners = [
    session.onAgentConnected(onAgentConnected),
    session.onAgentDisconnected(onAgentDisconnected),
    session.onAgentTyping(onAgentTyping),
    session.onMessageReceived(onMessageReceived),
    session.onInterrupted(() => setBanner('Connection lost. Trying to reconnect…', 'warning')),
    session.onContinued(() => setBanner('Connected again.', 'ok', 4000)),
    session.onError((event) => {
      if (!event.restored) setBanner(`Something went wrong: ${event.error.description}`, 'error', 8000);
    }),
    session.onSessionEnded(onSessionEnded),
  ];
  ui.transcript.removeAttribute('aria-busy');
  scrollToEnd(true);
}

function options(extra) {
  return {
    serverUrl: settings.serverUrl,
    service: settings.service,
    storage: settings.storage,
    maxOfflineDuration: settings.maxOfflineDuration,
    disableWebSockets: settings.disableWebSockets,
    ...extra,
  };
}

function showForm() {
  ended = false;
  session = null;
  clearTranscript();
  ui.compose.hidden = false;
  ui.ended.hidden = true;
  agents.clear();
  drawAgents();
  showView('form');
}

// ---- events -----------------------------------------------------------------------------------

ui.launcher.addEventListener('click', () => {
  if (isOpen) closePanel();
  else openPanel();
});

ui.close.addEventListener('click', () => closePanel());

const fullScreen = window.matchMedia('(max-width: 480px)');

ui.root.addEventListener('keydown', (key) => {
  if (key.key === 'Escape' && isOpen && !key.defaultPrevented) {
    key.preventDefault();
    closePanel();
  } else if (key.key === 'Tab' && isOpen && fullScreen.matches) {
    // The panel covers the whole screen: keep Tab inside it (the page behind is not visible).
    const focusable = [...ui.panel.querySelectorAll('button, input, textarea, a[href], [tabindex="0"]')]
      .filter((node) => !node.disabled && node.getClientRects().length > 0);
    if (focusable.length === 0) return;
    const first = focusable[0];
    const last = focusable.at(-1);
    if (key.shiftKey && document.activeElement === first) {
      key.preventDefault();
      last.focus();
    } else if (!key.shiftKey && document.activeElement === last) {
      key.preventDefault();
      first.focus();
    }
  }
});

ui.startForm.addEventListener('submit', (submit) => {
  submit.preventDefault();
  if (!ui.startForm.reportValidity()) return;
  ui.startError.textContent = '';
  const username = ui.nameInput.value.trim();
  const subject = ui.subjectInput.value.trim();
  if (!username) {
    ui.startError.textContent = 'Please tell us your name.';
    ui.nameInput.focus();
    return;
  }
  ui.startButton.disabled = true;
  ui.startButton.textContent = 'Starting…';
  const done = () => {
    ui.startButton.disabled = false;
    ui.startButton.textContent = 'Start chat';
  };
  let started;
  try {
    started = chat.startSession(options({ username, subject }));
  } catch (error) {
    ui.startError.textContent = `Could not start the chat: ${error.message}`;
    done();
    return;
  }
  started
    .done((newSession) => {
      clearTranscript();
      wire(newSession);
      ui.input.focus();
    })
    .fail((failure) => {
      ui.startError.textContent = `Could not start the chat: ${failure.error?.description || failure.message}`;
    })
    .then(done, done);
});

ui.compose.addEventListener('submit', (submit) => {
  submit.preventDefault();
  const text = ui.input.value.trim();
  if (!text || !session || ended) return;
  ui.input.value = '';
  resizeInput();
  stopTyping();
  const item = messageItem({ kind: 'client', who: 'You', text, timestamp: Date.now() });
  append(item);
  scrollToEnd(true);
  sendText(text, item);
  ui.input.focus();
});

ui.input.addEventListener('keydown', (key) => {
  // Enter sends; Shift+Enter is a new line; not while an input method composes.
  if (key.key === 'Enter' && !key.shiftKey && !key.isComposing) {
    key.preventDefault();
    ui.compose.requestSubmit();
  }
});

ui.input.addEventListener('input', () => {
  resizeInput();
  if (!session || ended) return;
  if (!ui.input.value.trim()) {
    stopTyping();
    return;
  }
  if (!typingSent) {
    typingSent = true;
    try { session.sendTyping({ isTyping: true }).fail(() => {}); } catch { /* ended */ }
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
});

ui.end.addEventListener('click', () => {
  if (!session || ended) return;
  ui.end.disabled = true;
  let leaving;
  try {
    leaving = session.leave();
  } catch {
    showEnded('You ended the chat.');
    ui.end.disabled = false;
    return;
  }
  leaving
    .fail((failure) => setBanner(`Could not end the chat: ${failure.error?.description || failure.message}`, 'error', 8000))
    .then(() => { ui.end.disabled = false; }, () => { ui.end.disabled = false; });
});

ui.newChat.addEventListener('click', () => {
  showForm();
  focusView();
});

// ---- start ------------------------------------------------------------------------------------

// Show the widget once its stylesheet is there (no flash of unstyled content).
function ensureStylesheet() {
  const href = new URL('chat-window.css', import.meta.url).href;
  const existing = [...document.querySelectorAll('link[rel="stylesheet"]')].find((l) => l.href === href);
  if (existing) return Promise.resolve();
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  const loaded = new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
  document.head.append(link);
  return loaded;
}

ui.avatarIcon = ui.avatar.firstElementChild;
showView('loading');
drawLauncher();
document.body.append(ui.root);
await ensureStylesheet();
ui.root.hidden = false;

try {
  await init();
} catch (error) {
  console.error('hotline chat window: the SDK did not load:', error);
  showView('form');
  ui.startError.textContent = 'The chat is not available right now. Please try again later.';
  ui.startButton.disabled = true;
}

function ready(restored) {
  document.dispatchEvent(new CustomEvent('hotline-chat:ready', { detail: { restored } }));
}

if (view === 'loading') {
  // Come back to a chat of this visitor (within maxOfflineDuration), else offer a new one.
  let restoring;
  try {
    restoring = chat.restoreSession(options({}));
  } catch (error) {
    // Options the SDK refuses (a TypeError): say so on the form.
    console.error('hotline chat window:', error.message);
    showForm();
    ui.startError.textContent = 'The chat is not available right now. Please try again later.';
    ui.startButton.disabled = true;
    ready(false);
  }
  restoring
    ?.done((restored) => {
      const openedMeanwhile = isOpen;
      wire(restored);
      // Reopen the panel as it was (open unless the visitor had minimised it).
      if (openedMeanwhile) focusView();
      else if (wasOpen() !== '0') openPanel({ focus: false });
      ready(true);
    })
    .fail(() => {
      showForm();
      if (isOpen) focusView();
      ready(false);
    });
}

