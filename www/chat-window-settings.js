// The chat window's options, read from the `data-` attributes of its script tag:
//
//   <script type="module" src="https://chat.example.com/www/chat-window.js"
//           data-server-url="https://chat.example.com"   default: the page's origin
//           data-service="customer-support"               default: customer-support
//           data-storage="cookie"                         cookie (default) or localStorage
//           data-max-offline-duration="30"                seconds; default 30
//           data-disable-web-sockets                      long-polling only; default off
//           data-title="Support"></script>                the panel's title; default "Support"
//
// A value that makes no sense is reported on the console and its default is used instead.

export const DEFAULTS = Object.freeze({
  service: 'customer-support',
  storage: 'cookie',
  maxOfflineDuration: 30,
  disableWebSockets: false,
  title: 'Support',
});

/** The module script that loaded `moduleUrl` (its `import.meta.url`), if the page has one. */
export function findScript(moduleUrl, doc = document) {
  const scripts = [...doc.querySelectorAll('script[src]')];
  return scripts.find((script) => script.src === moduleUrl)
    || scripts.find((script) => /\/chat-window\.js([?#]|$)/.test(script.src))
    || null;
}

/**
 * The settings for `dataset` (a script tag's `dataset`, or a plain object with the same
 * camel-cased keys), with `origin` as the default server.
 */
export function readSettings(dataset, { origin, base = origin, warn = () => {} } = {}) {
  const data = dataset || {};
  const settings = { serverUrl: origin, ...DEFAULTS };
  const problem = (attribute, value, why) =>
    warn(`hotline chat window: data-${attribute}="${value}" ${why}; using the default`);

  if (data.serverUrl !== undefined && data.serverUrl.trim() !== '') {
    try {
      const url = new URL(data.serverUrl.trim(), base);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      settings.serverUrl = url.href.replace(/\/+$/, '');
    } catch {
      problem('server-url', data.serverUrl, 'is not an http(s) URL');
    }
  }

  if (data.service !== undefined && data.service.trim() !== '') {
    const service = data.service.trim();
    if (/^[A-Za-z0-9._~-]+$/.test(service)) settings.service = service;
    else problem('service', data.service, 'is not a service name (letters, digits, - _ . ~)');
  }

  if (data.storage !== undefined && data.storage.trim() !== '') {
    const storage = data.storage.trim().toLowerCase();
    if (storage === 'cookie') settings.storage = 'cookie';
    else if (storage === 'localstorage') settings.storage = 'localStorage';
    else problem('storage', data.storage, 'is neither cookie nor localStorage');
  }

  if (data.maxOfflineDuration !== undefined && data.maxOfflineDuration.trim() !== '') {
    const seconds = Number(data.maxOfflineDuration);
    if (Number.isFinite(seconds) && seconds > 0) settings.maxOfflineDuration = seconds;
    else problem('max-offline-duration', data.maxOfflineDuration, 'is not a positive number of seconds');
  }

  if (data.disableWebSockets !== undefined) {
    // A boolean attribute: present (or "true") means yes; "false" means no.
    const value = data.disableWebSockets.trim().toLowerCase();
    if (value === '' || value === 'true') settings.disableWebSockets = true;
    else if (value === 'false') settings.disableWebSockets = false;
    else problem('disable-web-sockets', data.disableWebSockets, 'is neither true nor false');
  }

  if (data.title !== undefined && data.title.trim() !== '') settings.title = data.title.trim();

  return settings;
}
