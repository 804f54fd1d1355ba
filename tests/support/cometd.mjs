// The official CometD JavaScript client (npm `cometd`) running in Node through
// `cometd-nodejs-client`, with promise wrappers, for interop tests against hotline-server.
//
//   const client = createCometD(`${server.url}/cometd`, { transport: 'websocket' });
//   await handshake(client, { ext: { agentToken } });
//   const inbox = new Inbox();
//   await subscribe(client, '/some/channel', inbox.push);
//   await publish(client, '/service/x', { ... });
//   const msg = await inbox.next((m) => m.data.ok);
//   await disconnect(client);
//
// Transports: cometd-nodejs-client supplies both XMLHttpRequest (long-polling) and WebSocket
// (through the `ws` package), so both Bayeux transports can be tested.
//
// Cookies: the adapter keeps one cookie jar per `adapt()` call and the CometD client looks up
// `window.XMLHttpRequest` on every request. Two parties sharing one jar would share the
// BAYEUX_BROWSER cookie, and a Bayeux server then treats them as tabs of one browser (the
// "multiple-clients" advice). So each client made here gets its own XMLHttpRequest class, and
// so its own jar, swapped in for the duration of each send.

import { adapt } from 'cometd-nodejs-client';

adapt(); // defines globalThis.window (timers, XMLHttpRequest, WebSocket) before CometD loads
const { CometD, LongPollingTransport, WebSocketTransport } = await import('cometd');

/** Makes an XMLHttpRequest class with a cookie jar of its own. */
function isolatedXMLHttpRequest() {
  const shared = window.XMLHttpRequest;
  adapt();
  const own = window.XMLHttpRequest;
  window.XMLHttpRequest = shared;
  return own;
}

class IsolatedLongPollingTransport extends LongPollingTransport {
  #xhr = isolatedXMLHttpRequest();

  xhrSend(packet) {
    const previous = window.XMLHttpRequest;
    window.XMLHttpRequest = this.#xhr; // read synchronously by super.xhrSend
    try {
      return super.xhrSend(packet);
    } finally {
      window.XMLHttpRequest = previous;
    }
  }
}

/**
 * A configured (not yet handshaken) CometD client.
 * @param {string} url the Bayeux endpoint, e.g. `http://127.0.0.1:1234/cometd`
 * @param {object} [options]
 * @param {'long-polling'|'websocket'} [options.transport] the only transport the client may use
 * @param {object} [options.config] more `cometd.configure()` settings
 */
export function createCometD(url, { transport = 'long-polling', config = {}, name } = {}) {
  const cometd = new CometD(name);
  cometd.unregisterTransports();
  if (transport === 'websocket') {
    cometd.registerTransport('websocket', new WebSocketTransport());
  } else if (transport === 'long-polling') {
    cometd.registerTransport('long-polling', new IsolatedLongPollingTransport());
  } else {
    throw new Error(`unknown transport ${transport}`);
  }
  cometd.configure({ url, logLevel: process.env.COMETD_LOG_LEVEL ?? 'warn', maxNetworkDelay: 5_000, ...config });
  return cometd;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function replyPromise(what, start, ms = 10_000) {
  return withTimeout(
    new Promise((resolve, reject) => {
      start((reply) => {
        if (reply && reply.successful) resolve(reply);
        else reject(new Error(`${what} failed: ${JSON.stringify(reply)}`));
      });
    }),
    ms,
    what,
  );
}

/** Handshakes; `props` is merged into /meta/handshake (e.g. `{ext: {agentToken}}`). */
export function handshake(cometd, props = {}) {
  return replyPromise('handshake', (cb) => cometd.handshake(props, cb));
}

/** Subscribes `listener(message)` to `channel`; resolves on a successful /meta/subscribe reply. */
export function subscribe(cometd, channel, listener, props = {}) {
  return replyPromise(`subscribe ${channel}`, (cb) => cometd.subscribe(channel, listener, props, cb));
}

/** Publishes `data`; resolves on a successful publish reply. */
export function publish(cometd, channel, data) {
  return replyPromise(`publish ${channel}`, (cb) => cometd.publish(channel, data, cb));
}

/** Disconnects, waiting at most a few seconds for the reply (never rejects). */
export async function disconnect(cometd) {
  if (cometd.isDisconnected()) return;
  await withTimeout(new Promise((resolve) => cometd.disconnect(resolve)), 5_000, 'disconnect').catch(() => {});
}

/** Collects messages and lets a test wait for one that matches. */
export class Inbox {
  messages = [];
  #waiters = [];

  push = (message) => {
    this.messages.push(message);
    this.#waiters = this.#waiters.filter((w) => !w.check());
  };

  /** Resolves with the first message, already received or to come, for which `predicate` is true. */
  next(predicate = () => true, ms = 10_000, what = 'an expected message') {
    let waiter;
    const found = new Promise((resolve) => {
      waiter = {
        check: () => {
          const m = this.messages.find((msg) => predicate(msg));
          if (m === undefined) return false;
          resolve(m);
          return true;
        },
      };
    });
    if (!waiter.check()) this.#waiters.push(waiter);
    return withTimeout(found, ms, `waiting for ${what}`).catch((err) => {
      this.#waiters = this.#waiters.filter((w) => w !== waiter);
      err.message += `\nreceived so far:\n${this.messages.map((m) => JSON.stringify(m)).join('\n')}`;
      throw err;
    });
  }
}
