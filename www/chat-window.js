// The demo chat window. It uses only Hotline's public chat API (`chat.startSession`,
// `chat.restoreSession`, the session's commands and `on…` events), as a page author would.
// Text from the network is only ever inserted as text, never as HTML.

import init, { chat } from '../pkg/hotline.js';

const script = document.querySelector('script[src$="chat-window.js"]');
const settings = {
  serverUrl: script?.dataset.serverUrl || location.origin,
  service: script?.dataset.service || 'customer-support',
  storage: script?.dataset.storage || 'cookie',
  maxOfflineDuration: Number(script?.dataset.maxOfflineDuration || 30),
  disableWebSockets: script?.dataset.disableWebSockets === 'true',
};

const $ = (id) => document.getElementById(id);
const startForm = $('chat-start');
const sessionView = $('chat-session');
const transcript = $('chat-transcript');
const typingLine = $('chat-typing');
const banner = $('chat-banner');
const statusLine = $('chat-status');
const errorLine = $('chat-error');
const input = $('chat-input');
const composeForm = $('chat-compose');
const endButton = $('chat-end');

let session = null;
let typingTimer = null;
let typingSent = false;
const shown = new Set();

function timeText(timestamp) {
  const when = timestamp ? new Date(timestamp) : new Date();
  return when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function addLine(kind, who, text, timestamp, index, asLink) {
  // Restored and live events can overlap at the seam; the index says which we have shown.
  if (index !== undefined) {
    if (shown.has(index)) return;
    shown.add(index);
  }
  const item = document.createElement('li');
  item.className = `msg msg--${kind}`;
  const meta = document.createElement('span');
  meta.className = 'msg__meta';
  meta.textContent = kind === 'system' ? timeText(timestamp) : `${who} · ${timeText(timestamp)}`;
  item.append(meta);
  if (asLink && /^https?:\/\//i.test(text)) {
    const link = document.createElement('a');
    link.href = text;
    link.textContent = text;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    item.append(link);
  } else {
    item.append(document.createTextNode(text));
  }
  transcript.append(item);
  transcript.scrollTop = transcript.scrollHeight;
}

function showSession(active) {
  startForm.hidden = active;
  sessionView.hidden = !active;
  if (active) input.focus();
}

function setBanner(text) {
  banner.textContent = text || '';
  banner.hidden = !text;
}

function ended(reasonText) {
  statusLine.textContent = 'Chat ended';
  addLine('system', '', reasonText);
  input.disabled = true;
  composeForm.querySelector('button').disabled = true;
  endButton.textContent = 'New chat';
  typingLine.textContent = '';
  session = null;
}

function wire(newSession) {
  session = newSession;
  showSession(true);
  input.disabled = false;
  composeForm.querySelector('button').disabled = false;
  endButton.textContent = 'End chat';
  statusLine.textContent = 'Waiting for an agent…';

  session.onAgentConnected((event) => {
    if (event.party.type === 'Client') return;
    statusLine.textContent = `Chatting with ${event.party.name}`;
    addLine('system', '', `${event.party.name} joined the chat`, event.timestamp, event.index);
  });
  session.onAgentDisconnected((event) => {
    if (event.party.type === 'Client') return;
    addLine('system', '', `${event.party.name} left the chat`, event.timestamp, event.index);
  });
  session.onAgentTyping((event) => {
    typingLine.textContent = event.isTyping ? `${event.party.name} is typing…` : '';
  });
  session.onMessageReceived((event) => {
    const kind = event.party.type.client ? 'client' : event.party.type.agent ? 'agent' : 'system';
    if (kind === 'agent') typingLine.textContent = '';
    addLine(kind, kind === 'client' ? 'You' : event.party.name, event.content.text, event.timestamp,
      event.index, event.content.type === 'url');
  });
  session.onInterrupted(() => setBanner('Connection lost — reconnecting…'));
  session.onContinued(() => setBanner(''));
  session.onError((event) => setBanner(`Problem: ${event.error.description}`));
  session.onSessionEnded((event) => {
    setBanner('');
    ended(event.reason.agent ? 'The agent ended the chat.' : 'The chat has ended.');
  });
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

startForm.addEventListener('submit', (submit) => {
  submit.preventDefault();
  errorLine.textContent = '';
  const data = new FormData(startForm);
  const button = startForm.querySelector('button');
  button.disabled = true;
  transcript.replaceChildren();
  shown.clear();
  chat.startSession(options({ username: data.get('username'), subject: data.get('subject') }))
    .done(wire)
    .fail((failure) => { errorLine.textContent = `Could not start the chat: ${failure.error.description}`; })
    .then(() => { button.disabled = false; }, () => { button.disabled = false; });
});

composeForm.addEventListener('submit', (submit) => {
  submit.preventDefault();
  const text = input.value.trim();
  if (!text || !session) return;
  input.value = '';
  stopTyping();
  session.sendMessage({ message: text, type: /^https?:\/\/\S+$/i.test(text) ? 'url' : 'text' })
    .fail((failure) => setBanner(`Not sent: ${failure.error.description}`));
});

function stopTyping() {
  clearTimeout(typingTimer);
  if (typingSent && session) session.sendTyping({ isTyping: false });
  typingSent = false;
}

input.addEventListener('input', () => {
  if (!session) return;
  if (!typingSent) {
    typingSent = true;
    session.sendTyping({ isTyping: true });
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(stopTyping, 2000);
});

endButton.addEventListener('click', () => {
  if (session) {
    session.leave();
  } else {
    showSession(false);
    statusLine.textContent = '';
  }
});

await init();
chat.restoreSession(options({}))
  .done(wire)
  .fail(() => showSession(false));
