// Shared pieces of the chat window's end-to-end tests: a hotline-server serving the
// repository (index.html, www/, pkg/, tests/e2e/widget.html), headless Chromium with visitors
// and agents each in their own browser context (cookie jar, storage), and helpers that read
// and drive the chat window (index.html + www/chat-window.js) the way a visitor does.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { launchBrowser, requirePkg } from '../agent/harness.mjs';
import { AgentClient } from '../support/agent.mjs';
import { AGENTS, repoRoot, startServer } from '../support/server.mjs';

export { AGENTS };
export const SCREENSHOT_DIR = path.join(repoRoot, 'docs', 'screenshots');
export const DESKTOP = { width: 1100, height: 760 };
export const PHONE = { width: 375, height: 667 };
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A server, a browser, and contexts on demand; `close()` stops everything. `problems()` lists
 * page errors, console errors and failed page assets seen so far (`allow` filters expected
 * ones, e.g. failed requests while a test takes the network away).
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
  let quiet = false;

  function watch(page, label) {
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => problems.push(`${label}: page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() !== 'error' || quiet) return;
      if (text.startsWith('Failed to load resource')) return; // reported with its URL below
      problems.push(`${label}: console error: ${text}`);
    });
    page.on('response', (response) => {
      const url = new URL(response.url());
      const asset = /\.(html|js|mjs|css|wasm|png|svg)$/.test(url.pathname);
      if (response.status() >= 400 && asset) problems.push(`${label}: ${response.status()} for ${url.pathname}`);
    });
  }

  /** A new browser context (own cookies and storage) and a page in it, not yet navigated. */
  async function newContext(label, { viewport = DESKTOP, phone = false } = {}) {
    const context = await browser.newContext(phone
      ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
      : { viewport });
    contexts.push(context);
    const page = await context.newPage();
    watch(page, label);
    return { context, page };
  }

  async function close() {
    for (const context of contexts) await context.close().catch(() => {});
    await browser.close().catch(() => {});
    await server.stop();
  }

  return {
    server,
    browser,
    newContext,
    close,
    problems: () => [...problems],
    /** Console errors are not problems while `fn` runs (the network is taken away on purpose). */
    async quietly(fn) {
      quiet = true;
      try { return await fn(); } finally { quiet = false; }
    },
    agentApi: (agent = AGENTS[0]) => AgentClient.login(server.url, agent.username, agent.password),
  };
}

/** Runs `fn(world)` and always cleans up; prints the server log when it fails. */
export async function withWorld(options, fn) {
  const world = await startWorld(options);
  try {
    return await fn(world);
  } catch (error) {
    process.stderr.write(`\n--- hotline-server output (test failed) ---\n${world.server.log().split('\n').slice(-150).join('\n')}\n`);
    const problems = world.problems();
    if (problems.length) process.stderr.write(`--- browser problems ---\n${problems.join('\n')}\n`);
    throw error;
  } finally {
    await world.close();
  }
}

// ---- the visitor's chat window ----------------------------------------------------------------

/** Loads `url` (relative to the server) and waits until the window knows what to show. */
export async function loadWidget(page, url) {
  await page.goto(url);
  await page.waitForSelector('#hotline-chat:not([hidden]):not([data-view="loading"])', { state: 'attached' });
  return page.getAttribute('#hotline-chat', 'data-view');
}

/** Reloads the page (as the browser's reload button does) and waits like `loadWidget`. */
export async function reloadWidget(page) {
  await page.reload();
  await page.waitForSelector('#hotline-chat:not([hidden]):not([data-view="loading"])', { state: 'attached' });
  return page.getAttribute('#hotline-chat', 'data-view');
}

/** Opens the panel with the launcher unless it is open. */
export async function openPanel(page) {
  if (await page.getAttribute('#chat-launcher', 'aria-expanded') !== 'true') await page.click('#chat-launcher');
  await page.waitForSelector('#chat', { state: 'visible' });
}

/** Fills in the pre-chat form and starts the chat; resolves once it waits for an agent. */
export async function startChat(page, { name, subject = '' }) {
  await openPanel(page);
  await page.fill('#chat-name', name);
  await page.fill('#chat-subject', subject);
  await page.click('#chat-start button[type="submit"]');
  await waitForStatus(page, 'Waiting for an agent…');
}

export function waitForStatus(page, text) {
  return page.waitForFunction((text) => document.getElementById('chat-status').textContent === text, text);
}

/** Writes and sends a message with the keyboard (Enter). */
export async function say(page, text) {
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
}

/**
 * The transcript as the visitor sees it: `{kind, who, text, index, time, state, links}` per
 * line (`kind`: client | agent | system).
 */
export function lines(page) {
  return page.$$eval('#chat-transcript > li', (items) => items.map((li) => ({
    kind: [...li.classList].find((c) => c.startsWith('msg--'))?.slice(5),
    who: li.querySelector('.msg__who')?.textContent ?? null,
    text: li.querySelector('.msg__body')?.textContent ?? '',
    index: li.dataset.index === undefined ? null : Number(li.dataset.index),
    time: li.querySelector('time')?.getAttribute('datetime') ?? null,
    timeText: li.querySelector('time')?.textContent ?? null,
    state: li.dataset.state ?? null,
    links: [...li.querySelectorAll('.msg__body a')].map((a) => ({
      href: a.getAttribute('href'), text: a.textContent, rel: a.rel, target: a.target,
    })),
  })));
}

/** Waits for a transcript line of `kind` whose text is `text`, sent (not pending); returns it. */
export async function waitForLine(page, kind, text, timeout = 20_000) {
  await page.waitForFunction(({ kind, text }) => [...document.querySelectorAll('#chat-transcript > li')]
    .some((li) => li.classList.contains(`msg--${kind}`) && !li.dataset.state
      && li.querySelector('.msg__body').textContent === text), { kind, text }, { timeout });
  return (await lines(page)).find((line) => line.kind === kind && line.text === text);
}

/** Every event index appears once, and so does every text in `unique`. */
export function assertNoDuplicates(all, unique = []) {
  const indexes = all.map((line) => line.index).filter((index) => index !== null);
  assert.deepEqual(indexes, [...new Set(indexes)], `an index shown twice: ${JSON.stringify(all)}`);
  assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b), `indexes out of order: ${JSON.stringify(all)}`);
  for (const text of unique) {
    assert.equal(all.filter((line) => line.text === text).length, 1, `"${text}" once in ${JSON.stringify(all.map((l) => l.text))}`);
  }
}

// ---- the agent ------------------------------------------------------------------------------

/** The chat id of the waiting (or any) conversation of the visitor called `nickname`. */
export async function chatIdOf(agent, nickname, timeout = 15_000) {
  const started = Date.now();
  for (;;) {
    const all = await agent.list('all');
    const found = all.filter((c) => c.nickname === nickname && c.status !== 'closed').at(-1);
    if (found) return found.chatId;
    if (Date.now() - started > timeout) assert.fail(`no conversation of ${nickname}: ${JSON.stringify(all)}`);
    await sleep(200);
  }
}

/**
 * Waits until the chat's transcript (agent API) has an event matching `match`: a message text,
 * or a predicate on the GMS transcript event (`{type, text, from: {type, nickname}, index}`).
 */
export async function waitForAgentSees(agent, chatId, match, timeout = 15_000) {
  const test = typeof match === 'function' ? match : (m) => m.type === 'Message' && m.text === match;
  const started = Date.now();
  for (;;) {
    const { messages } = await agent.transcript(chatId);
    const found = messages.find(test);
    if (found) return found;
    if (Date.now() - started > timeout) assert.fail(`the agent never saw ${match}: ${JSON.stringify(messages)}`);
    await sleep(200);
  }
}

/** The agent console (/www/agent.html) in its own context, signed in through its form. */
export async function signedInConsole(world, { agent = AGENTS[0], viewport = { width: 1280, height: 800 } } = {}) {
  const { context, page } = await world.newContext('console', { viewport });
  await page.goto(`${world.server.url}/www/agent.html`);
  await page.fill('#sign-in-username', agent.username);
  await page.fill('#sign-in-password', agent.password);
  await page.click('#sign-in button[type="submit"]');
  await page.waitForSelector('#workspace:not([hidden])');
  return { context, page };
}

export async function screenshotPath(name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, name);
}
