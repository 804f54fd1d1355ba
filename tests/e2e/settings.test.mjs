// The chat window's options from its script tag's data- attributes
// (www/chat-window-settings.js), without a browser: defaults, every attribute, and values
// that make no sense (reported, and the default used).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULTS, readSettings } from '../../www/chat-window-settings.js';

const ORIGIN = 'https://shop.example';

function read(dataset) {
  const warnings = [];
  const settings = readSettings(dataset, { origin: ORIGIN, base: `${ORIGIN}/products/1`, warn: (w) => warnings.push(w) });
  return { settings, warnings };
}

test('no data- attributes: the page origin and the defaults', () => {
  for (const dataset of [undefined, {}]) {
    const { settings, warnings } = read(dataset);
    assert.deepEqual(settings, {
      serverUrl: ORIGIN, service: 'customer-support', storage: 'cookie', maxOfflineDuration: 30,
      disableWebSockets: false, title: 'Support',
    });
    assert.deepEqual(warnings, []);
  }
  assert.equal(DEFAULTS.maxOfflineDuration, 30);
});

test('every data- attribute', () => {
  const { settings, warnings } = read({
    serverUrl: 'https://chat.example.com/', service: 'sales', storage: 'localStorage',
    maxOfflineDuration: '2.5', disableWebSockets: '', title: 'Sales team',
  });
  assert.deepEqual(settings, {
    serverUrl: 'https://chat.example.com', service: 'sales', storage: 'localStorage',
    maxOfflineDuration: 2.5, disableWebSockets: true, title: 'Sales team',
  });
  assert.deepEqual(warnings, []);
  // Relative server URLs are resolved against the page; case does not matter for storage;
  // "true"/"false" for the boolean.
  assert.equal(read({ serverUrl: '/chat-backend/' }).settings.serverUrl, `${ORIGIN}/chat-backend`);
  assert.equal(read({ storage: 'LOCALSTORAGE' }).settings.storage, 'localStorage');
  assert.equal(read({ storage: 'cookie' }).settings.storage, 'cookie');
  assert.equal(read({ disableWebSockets: 'true' }).settings.disableWebSockets, true);
  assert.equal(read({ disableWebSockets: 'false' }).settings.disableWebSockets, false);
});

test('values that make no sense: a console warning each, and the default', () => {
  const { settings, warnings } = read({
    serverUrl: 'javascript:alert(1)', service: 'no spaces/please', storage: 'indexedDB',
    maxOfflineDuration: '-5', disableWebSockets: 'sometimes',
  });
  assert.deepEqual(settings, { serverUrl: ORIGIN, ...DEFAULTS });
  assert.equal(warnings.length, 5, warnings.join('\n'));
  assert.match(warnings[0], /^hotline chat window: data-server-url="javascript:alert\(1\)" is not an http\(s\) URL; using the default$/);
  for (const [i, name] of ['service', 'storage', 'max-offline-duration', 'disable-web-sockets'].entries()) {
    assert.match(warnings[i + 1], new RegExp(`data-${name}=`));
  }
  assert.equal(read({ maxOfflineDuration: 'soon' }).settings.maxOfflineDuration, 30);
  assert.equal(read({ maxOfflineDuration: '0' }).settings.maxOfflineDuration, 30);
  // Empty values are as good as absent.
  assert.deepEqual(read({ serverUrl: ' ', service: '', storage: '', maxOfflineDuration: '' }), { settings: { serverUrl: ORIGIN, ...DEFAULTS }, warnings: [] });
});
