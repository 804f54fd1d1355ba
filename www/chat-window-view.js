// The chat window's DOM: the launcher, the panel and its views, and the transcript's items.
// Everything is built with createElement and textContent: no HTML is ever parsed, so text
// from the network can only ever be text.

const SVG = 'http://www.w3.org/2000/svg';

/** `h('div', {className: 'x', id: 'y', hidden: true, 'aria-label': '…'}, child, 'text', …)` */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className' || key === 'id' || key === 'type' || key === 'name' || key === 'htmlFor'
      || key === 'placeholder' || key === 'maxLength' || key === 'rows' || key === 'autocomplete'
      || key === 'required' || key === 'hidden' || key === 'disabled') {
      node[key] = value;
    } else if (key === 'text') {
      node.textContent = value;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

const ICONS = {
  chat: 'M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6A.5.5 0 0 1 5 19.2V16h0A2.5 2.5 0 0 1 4 13.5z',
  close: 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
  minimize: 'M5 11h14v2H5z',
  send: 'M3.4 20.4 21 12 3.4 3.6 3.4 10l12 2-12 2z',
  down: 'M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z',
};

/** A decorative icon (hidden from assistive technology). */
export function icon(name, className = 'hl-icon') {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', className);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/**
 * Builds the widget (not yet in the document) and returns its parts by name. Element ids are
 * prefixed `chat-` and stable: pages and tests may rely on them.
 */
export function buildWidget({ title }) {
  const ui = {};
  const keep = (name, node) => { ui[name] = node; return node; };

  const launcher = keep('launcher', h('button', {
    type: 'button', id: 'chat-launcher', className: 'hl-launcher',
    'aria-expanded': 'false', 'aria-controls': 'chat', 'aria-label': 'Open chat',
  },
  icon('chat', 'hl-icon hl-launcher__open'),
  icon('down', 'hl-icon hl-launcher__close'),
  h('span', { className: 'hl-launcher__label', text: 'Chat with us' }),
  keep('unread', h('span', { className: 'hl-launcher__badge', id: 'chat-unread', hidden: true, 'aria-hidden': 'true' }))));

  // Header: who the visitor talks to, the chat's status, end and minimise.
  const header = h('header', { className: 'hl-header' },
    keep('avatar', h('span', { className: 'hl-avatar', id: 'chat-avatar', 'aria-hidden': 'true' }, icon('chat'))),
    h('div', { className: 'hl-header__text' },
      keep('title', h('h2', { className: 'hl-header__title', id: 'chat-title', text: title })),
      keep('status', h('p', { className: 'hl-header__status', id: 'chat-status', role: 'status' }))),
    keep('end', h('button', { type: 'button', className: 'hl-header__end', id: 'chat-end', hidden: true, text: 'End chat' })),
    keep('close', h('button', { type: 'button', className: 'hl-header__icon', id: 'chat-close', 'aria-label': 'Minimize chat' },
      icon('minimize'))));

  // Loading: while the page looks for a chat to restore.
  const loading = keep('loading', h('div', { className: 'hl-loading', id: 'chat-loading' },
    h('span', { className: 'hl-spinner', 'aria-hidden': 'true' }), h('span', { text: 'Connecting…' })));

  // Pre-chat form.
  const nameInput = keep('nameInput', h('input', {
    name: 'username', id: 'chat-name', autocomplete: 'name', required: true, maxLength: 100,
  }));
  const subjectInput = keep('subjectInput', h('input', {
    name: 'subject', id: 'chat-subject', maxLength: 200, placeholder: 'e.g. A question about my bill',
  }));
  const startButton = keep('startButton', h('button', { type: 'submit', className: 'hl-primary', text: 'Start chat' }));
  const startForm = keep('startForm', h('form', { className: 'hl-start', id: 'chat-start', 'aria-labelledby': 'chat-start-intro' },
    h('p', { className: 'hl-start__intro', id: 'chat-start-intro', text: 'Hi there! Tell us who you are and what it is about, and an agent will be with you shortly.' }),
    h('div', { className: 'hl-field' },
      h('label', { htmlFor: 'chat-name', text: 'Your name' }), nameInput),
    h('div', { className: 'hl-field' },
      h('label', { htmlFor: 'chat-subject' }, 'Subject ', h('span', { className: 'hl-optional', text: '(optional)' })), subjectInput),
    startButton,
    keep('startError', h('p', { className: 'hl-error', id: 'chat-error', role: 'alert' }))));

  // The conversation.
  const transcript = keep('transcript', h('ol', {
    className: 'hl-transcript', id: 'chat-transcript', role: 'log', 'aria-live': 'polite',
    'aria-relevant': 'additions', 'aria-label': 'Messages', tabindex: '0',
  }));
  const input = keep('input', h('textarea', {
    id: 'chat-input', rows: 1, maxLength: 4000, placeholder: 'Write a message…', autocomplete: 'off',
  }));
  const compose = keep('compose', h('form', { className: 'hl-compose', id: 'chat-compose' },
    h('label', { className: 'hl-visually-hidden', htmlFor: 'chat-input', text: 'Message' }),
    input,
    keep('send', h('button', { type: 'submit', className: 'hl-compose__send', 'aria-label': 'Send' }, icon('send')))));
  const endedBox = keep('ended', h('div', { className: 'hl-ended', id: 'chat-ended', hidden: true },
    h('p', { text: 'This chat has ended. Thank you for contacting us.' }),
    keep('newChat', h('button', { type: 'button', className: 'hl-primary', id: 'chat-new', text: 'Start a new chat' }))));
  const sessionView = keep('sessionView', h('div', { className: 'hl-session', id: 'chat-session', hidden: true },
    keep('banner', h('div', { className: 'hl-banner', id: 'chat-banner', role: 'status', hidden: true })),
    transcript,
    keep('typing', h('p', { className: 'hl-typing', id: 'chat-typing', 'aria-live': 'polite' })),
    compose,
    endedBox));

  const panel = keep('panel', h('section', {
    className: 'hl-panel', id: 'chat', 'aria-labelledby': 'chat-title', hidden: true,
  }, header, h('div', { className: 'hl-body' }, loading, startForm, sessionView)));

  keep('root', h('div', { className: 'hotline-chat', id: 'hotline-chat', hidden: true }, panel, launcher));
  return ui;
}

// ---- transcript items -----------------------------------------------------------------------

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+/gi;

/** `text` as an absolute http(s) URL, or null: other schemes (javascript:, data:, …) never link. */
export function safeHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function link(href, text) {
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', text });
}

/**
 * The nodes showing a message's text: a URL message is one link (when it is an http(s) URL);
 * in other text, http(s) URLs become links. Everything else stays text.
 */
export function messageNodes(text, isUrl) {
  if (isUrl) {
    const href = safeHttpUrl(text.trim());
    return [href ? link(href, text.trim()) : document.createTextNode(text)];
  }
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    let candidate = match[0];
    // Sentence punctuation after a URL is not part of it; nor is a closing bracket without
    // an opening one in the URL.
    while (/[.,;:!?'\])]$/.test(candidate)) {
      const end = candidate.at(-1);
      if (end === ')' && candidate.split('(').length > candidate.split(')').length - 1) break;
      if (end === ']' && candidate.split('[').length > candidate.split(']').length - 1) break;
      candidate = candidate.slice(0, -1);
    }
    const href = safeHttpUrl(candidate);
    if (!href) continue;
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    nodes.push(link(href, candidate));
    last = match.index + candidate.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A `<time>`: the time of day (with the date when not today), the full date as its title. */
export function timeNode(timestamp) {
  const when = new Date(Number.isFinite(timestamp) ? timestamp : Date.now());
  const today = new Date().toDateString() === when.toDateString();
  return h('time', {
    className: 'msg__time',
    datetime: when.toISOString(),
    title: dateTimeFormat.format(when),
    text: today ? timeFormat.format(when) : dateTimeFormat.format(when),
  });
}

/**
 * A transcript item. `kind`: client (the visitor), agent, or system. Its meta line (who and
 * when) is a `.msg__meta` child; the text is in `.msg__body`.
 */
export function messageItem({ kind, who, text, timestamp, index, isUrl }) {
  const meta = h('span', { className: 'msg__meta' });
  if (kind !== 'system') meta.append(h('span', { className: 'msg__who', text: who }), ' ');
  meta.append(timeNode(timestamp));
  const body = h('span', { className: 'msg__body' }, ...(kind === 'system' ? [document.createTextNode(text)] : messageNodes(text, isUrl)));
  const item = h('li', { className: `msg msg--${kind}` }, meta, body);
  if (index !== undefined && index !== null) item.dataset.index = String(index);
  item.dataset.sender = kind === 'system' ? 'system' : `${kind}:${who}`;
  item.dataset.time = String(Number.isFinite(timestamp) ? timestamp : Date.now());
  return item;
}
