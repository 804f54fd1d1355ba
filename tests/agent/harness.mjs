// Shared pieces of the agent SDK's browser tests: headless Chromium (playwright-core), a
// hotline-server that serves the repository (pkg/, www/, tests/agent/cif-page.html), pages in
// their own browser contexts (cookie jars), and small helpers run inside the pages.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { repoRoot, startServer } from '../support/server.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const OUTPUT_DIR = path.join(repoRoot, 'tests', 'output');
/** The agent id of seed 002_915e637a2a4c553f.txt: an agent account of that name signs in. */
export const SEED_AGENT = { username: '2b330c52-6844-4d36-8e05-03c78c9681dc', password: 'seed-secret' };

/** Fails early, with the fix, when the SDK was not built. */
export function requirePkg() {
  for (const file of ['hotline.js', 'hotline_bg.wasm', 'hotline-globals.js']) {
    if (!existsSync(path.join(repoRoot, 'pkg', file))) {
      throw new Error(`pkg/${file} is missing: run scripts/build-wasm first`);
    }
  }
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A server serving the repository, a browser, and a way to open pages in fresh contexts;
 * `close()` stops everything. `problems()` lists page errors and console errors seen so far.
 */
export async function startWorld({ args = [] } = {}) {
  requirePkg();
  const server = await startServer({ staticDir: true, args });
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  const problems = [];
  const contexts = [];

  /** A page in a new context (its own cookies and storage). */
  async function newPage(relativeUrl, label = relativeUrl) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => problems.push(`${label}: page error: ${error.message}`));
    page.on('console', (message) => {
      // Failed loads are reported below, with their URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`${label}: console error: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      // Only the pages' own files: API answers (4xx on purpose in the error tests) are not
      // problems, and browsers ask for /favicon.ico on their own.
      const asset = /\.(html|js|mjs|css|wasm|png|svg)$/.test(url.pathname);
      if (response.status() >= 400 && asset) problems.push(`${label}: ${response.status()} for ${url.pathname}`);
    });
    await page.goto(`${server.url}${relativeUrl}`);
    return page;
  }

  /** The SDK test page, once the globals are there. */
  async function cifPage(label = 'cif-page') {
    const page = await newPage('/tests/agent/cif-page.html', label);
    await page.evaluate(() => window.hotlineReady);
    return page;
  }

  async function close() {
    for (const context of contexts) await context.close().catch(() => {});
    await browser.close().catch(() => {});
    await server.stop();
  }

  return { server, browser, newPage, cifPage, close, problems: () => [...problems] };
}

/** Runs `fn(world)` and always cleans up; prints the server log when it fails. */
export async function withWorld(options, fn) {
  const world = await startWorld(options);
  try {
    return await fn(world);
  } catch (error) {
    process.stderr.write(`\n--- hotline-server output (test failed) ---\n${world.server.log()}\n`);
    const problems = world.problems();
    if (problems.length) process.stderr.write(`--- browser problems ---\n${problems.join('\n')}\n`);
    throw error;
  } finally {
    await world.close();
  }
}

/** `Microsoft.CIFramework.initialize` signed in as `username` (rejects as the SDK does). */
export function signIn(page, server, { username, password }) {
  return page.evaluate(
    ({ serverUrl, username, password }) =>
      Microsoft.CIFramework.initialize({ serverUrl, username, password }),
    { serverUrl: server.url, username, password },
  );
}

/** Records the named CIF events (the handlers' JSON text, parsed) in `window.recorded`. */
export function recordEvents(page, names) {
  return page.evaluate(async (names) => {
    window.recorded = window.recorded || [];
    for (const name of names) {
      await Microsoft.CIFramework.addHandler(name, (text) => {
        window.recorded.push({ name, data: typeof text === 'string' ? JSON.parse(text) : text });
        return Promise.resolve();
      });
    }
  }, names);
}

/** The recorded events named `name` (all when no name). */
export function recorded(page, name) {
  return page.evaluate((name) => (window.recorded || []).filter((e) => !name || e.name === name), name);
}

/** Waits until an event named `name` whose data matches `match` (a subset) is recorded. */
export async function waitForEvent(page, name, match = {}, timeout = 15_000) {
  const handle = await page.waitForFunction(
    ({ name, match }) => {
      const subset = (value, pattern) => {
        if (pattern === null || typeof pattern !== 'object') return value === pattern;
        if (value === null || typeof value !== 'object') return false;
        return Object.entries(pattern).every(([k, v]) => subset(value[k], v));
      };
      return (window.recorded || []).find((e) => e.name === name && subset(e.data, match));
    },
    { name, match },
    { timeout },
  );
  return handle.jsonValue();
}

/**
 * Runs `body` (the text of an async function body, with `CIF`, `Omnichannel` in scope) in the
 * page and returns what its promise rejected with: `{rejected, isError, message, msdyn_name,
 * errorCode}`, or `{rejected: false, value}` when it resolved.
 */
export function outcome(page, body, arg) {
  return page.evaluate(
    async ({ body, arg }) => {
      const CIF = window.Microsoft.CIFramework;
      const Omnichannel = window.Microsoft.Omnichannel;
      // eslint-disable-next-line no-new-func
      const run = new Function('CIF', 'Omnichannel', 'arg', `return (async () => { ${body} })();`);
      try {
        return { rejected: false, value: await run(CIF, Omnichannel, arg) };
      } catch (error) {
        return {
          rejected: true,
          isError: error instanceof Error,
          message: error?.message,
          msdyn_name: error?.msdyn_name,
          errorCode: error?.errorCode,
        };
      }
    },
    { body, arg },
  );
}

/** Asserts that `body` rejected with exactly this `{message, msdyn_name, errorCode}`. */
export async function assertRejects(page, body, expected, arg) {
  const result = await outcome(page, body, arg);
  assert.equal(result.rejected, true, `${body} should reject, resolved ${JSON.stringify(result.value)}`);
  assert.equal(result.isError, true, `${body}: rejects with an Error`);
  const { message, msdyn_name, errorCode } = result;
  if (expected.message instanceof RegExp) {
    assert.match(message, expected.message, body);
    assert.deepEqual({ msdyn_name, errorCode }, { msdyn_name: expected.msdyn_name, errorCode: expected.errorCode }, body);
  } else {
    assert.deepEqual({ message, msdyn_name, errorCode }, expected, body);
  }
  return result;
}

/** A customer chat started with the customer SDK (`chat.startSession`) in its own context. */
export async function customerChat(world, { username, subject }) {
  const page = await world.cifPage(`customer ${username}`);
  await page.evaluate(
    ({ serverUrl, username, subject }) =>
      new Promise((resolve, reject) => {
        window.customer = { messages: [], ended: null, agentTyping: [] };
        chat.startSession({ serverUrl, username, subject })
          .done((session) => {
            window.customer.session = session;
            session.onMessageReceived((event) => window.customer.messages.push({
              text: event.content.text,
              party: event.party.type.client ? 'client' : event.party.type.agent ? 'agent' : 'other',
              name: event.party.name,
            }));
            session.onAgentTyping((event) => window.customer.agentTyping.push(event.isTyping));
            session.onSessionEnded((event) => { window.customer.ended = { byAgent: Boolean(event.reason.agent) }; });
            resolve();
          })
          .fail((failure) => reject(new Error(failure.error.description)));
      }),
    { serverUrl: world.server.url, username, subject },
  );
  return page;
}

/** Polls getConversations in `page` until `predicate(records)` holds; returns the records. */
export async function pollConversations(page, input, predicate, timeout = 15_000) {
  const started = Date.now();
  let records;
  for (;;) {
    records = await page.evaluate((input) => Microsoft.Omnichannel.getConversations(input), input);
    if (predicate(records)) return records;
    if (Date.now() - started > timeout) {
      assert.fail(`getConversations(${JSON.stringify(input)}) never matched; last: ${JSON.stringify(records)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function outputPath(name) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  return path.join(OUTPUT_DIR, name);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
