// The page's web APIs, each behind one function, for the Rust adapters in src/browser.
//
// Why a JS file: every web API method the wasm calls directly is an import with its own glue
// function and its own error path in the wasm. A fetch with a timeout, headers and a text body
// is a dozen such calls; here it is one. These functions only adapt (no chat or protocol
// logic): what to send, when and why stays in Rust.

// `fetch` with cookies, a body, headers ("Name: value" lines) and a timeout. Resolves with
// `{status, text}` for any HTTP answer; rejects with a string: "timeout" when no answer came
// within `timeoutMs`, otherwise the browser's description of the network failure.
export function hostFetch(method, url, body, contentType, headerLines, timeoutMs) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
  const headers = {};
  if (contentType) headers['Content-Type'] = contentType;
  for (const line of headerLines ? headerLines.split('\n') : []) {
    const at = line.indexOf(': ');
    if (at > 0) headers[line.slice(0, at)] = line.slice(at + 2);
  }
  const init = { method, headers, credentials: 'include', signal: controller.signal };
  if (body != null) init.body = body;
  return fetch(url, init)
    .then((response) => response.text().then((text) => ({ status: response.status, text })))
    .catch((error) => { throw timedOut ? 'timeout' : describe(error); })
    .finally(() => clearTimeout(timer));
}

// "name: message" for an Error or DOMException, the value itself for a string.
export function describe(error) {
  if (error && typeof error === 'object') {
    const { name, message } = error;
    if (name && message) return name + ': ' + message;
    if (name || message) return String(name || message);
  }
  return typeof error === 'string' ? error : 'unknown JavaScript error';
}

// Opens a WebSocket whose events all go to `onEvent(kind, data)`: kind 0 = open, 1 = a text
// frame (data), 2 = closed (data = the close code; an error is always followed by a close).
// Throws (a string) when the browser refuses to create it.
export function hostSocketOpen(url, onEvent) {
  let socket;
  try {
    socket = new WebSocket(url);
  } catch (error) {
    throw describe(error);
  }
  socket.onopen = () => onEvent(0, '');
  socket.onmessage = (event) => { if (typeof event.data === 'string') onEvent(1, event.data); };
  socket.onclose = (event) => onEvent(2, String(event.code));
  return socket;
}

// Sends a frame; false when the socket is not open (yet) or refuses it.
export function hostSocketSend(socket, text) {
  if (socket.readyState !== 1) return false;
  try {
    socket.send(text);
    return true;
  } catch (error) {
    return false;
  }
}

// Closes the socket and detaches its handlers, so nothing reaches a dropped Rust callback.
export function hostSocketClose(socket) {
  socket.onopen = socket.onmessage = socket.onclose = null;
  try { socket.close(); } catch (error) { /* already closed */ }
}

// Calls `onLeave()` when the page is hidden or left (visibilitychange to hidden, pagehide,
// beforeunload). Returns the function that removes the listeners.
export function hostOnLeave(onLeave) {
  if (typeof window === 'undefined') return () => {};
  const handler = (event) => {
    if (event.type !== 'visibilitychange' || document.visibilityState === 'hidden') onLeave();
  };
  const targets = [[window, 'pagehide'], [window, 'beforeunload']];
  if (typeof document !== 'undefined') targets.push([document, 'visibilitychange']);
  for (const [target, name] of targets) target.addEventListener(name, handler);
  return () => { for (const [target, name] of targets) target.removeEventListener(name, handler); };
}

// The page's title, address and referrer as JSON text (empty strings where there is no page).
export function hostPageContext() {
  const doc = typeof document === 'undefined' ? null : document;
  const loc = typeof location === 'undefined' ? null : location;
  return JSON.stringify({
    title: doc ? doc.title : '',
    url: loc ? loc.href : '',
    referrer: doc ? doc.referrer : '',
  });
}

// The JSON text of an options object without the members that are objects or functions the
// SDK keeps as they are (`skip`, comma-separated), or null when `options` is not an object.
export function hostPlainJson(options, skip) {
  if (options === null || typeof options !== 'object') return null;
  const skipped = skip.split(',');
  return JSON.stringify(options, function (key, value) {
    return this === options && skipped.includes(key) ? undefined : value;
  });
}

// The `Error` a rejected chat promise carries: `code`, `description`, and GWE's
// `error: {code, description}`.
export function hostChatError(code, description) {
  const error = new Error(description);
  error.name = 'HotlineChatError';
  error.code = code;
  error.description = description;
  error.error = { code, description };
  return error;
}

// A custom transport's method `name`, called with the parsed `argumentJson` (or nothing when
// null). Returns a Promise of the JSON text of what the method resolved with (its result may
// be a Promise, a jQuery-style `{done, fail}` promise, or a plain value). Rejects with JSON
// text: what the transport rejected with, or `{error: {code, description}}` when the method is
// missing (code 1, unknown command) or throws (code 0). A missing `optional` method resolves
// with "null".
export function hostTransportCall(transport, name, argumentJson, optional) {
  const method = transport[name];
  const refuse = (code, description) =>
    Promise.reject(JSON.stringify({ error: { code, description } }));
  if (typeof method !== 'function') {
    return optional ? Promise.resolve('null') : refuse(1, 'the transport has no ' + name + '()');
  }
  let returned;
  try {
    returned = argumentJson == null
      ? method.call(transport)
      : method.call(transport, JSON.parse(argumentJson));
  } catch (error) {
    return refuse(0, 'transport.' + name + '() threw: ' + describe(error));
  }
  const json = (value) => JSON.stringify(value === undefined ? null : value);
  let promise;
  if (returned && typeof returned.then === 'function') {
    promise = Promise.resolve(returned);
  } else if (returned && typeof returned.done === 'function' && typeof returned.fail === 'function') {
    promise = new Promise((resolve, reject) => { returned.done(resolve); returned.fail(reject); });
  } else {
    promise = Promise.resolve(returned);
  }
  return promise.then(json, (rejection) => { throw json(rejection); });
}

// Registers `onEvent(index, json)` with each of the transport's event registrations named in
// `names` (comma-separated; `index` is the position in that list) that exist. Throws a string
// when a registration throws.
export function hostTransportListen(transport, names, onEvent) {
  names.split(',').forEach((name, index) => {
    if (typeof transport[name] !== 'function') return;
    try {
      transport[name]((payload) => onEvent(index, JSON.stringify(payload === undefined ? null : payload)));
    } catch (error) {
      throw 'transport.' + name + ' failed: ' + describe(error);
    }
  });
}

// A Promise that resolves after `delayMs` milliseconds.
export function hostSleep(delayMs) {
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}

// A Promise with its `resolve` function attached as `promise.resolve` (a one-value channel's
// wake-up: resolving twice does nothing).
export function hostDeferred() {
  let resolve;
  const promise = new Promise((done) => { resolve = done; });
  promise.resolve = resolve;
  return promise;
}
