// Every code example in README.md is run (or, where running it is not possible here, checked)
// by a test: one test per fenced block, named after its heading and its first line, so a README
// change that breaks an example fails here. One hotline-server (serving the repository, with the
// demo agent `agent:hotline` besides the test agents) and one Chromium serve the whole file.
//
//   ```js    run in a real page of the test server (its own browser context): the block becomes
//            the <script type="module"> of tests/readme/example.html, whose base is the server's
//            root so `./pkg/hotline.js` resolves as on a page there, and whose import map gives
//            `hotline` → /pkg/hotline.js and `hotline/globals` → /pkg/hotline-globals.js (what
//            package.json `exports` gives an installed package). The page is a real file of
//            the server, not a routed response: Chromium's local-network checks block
//            WebSockets from pages it cannot place on an address.
//            Placeholders `https://chat.example.com` and `http://127.0.0.1:8080` become the test
//            server's URL; `location.origin` already is. What follows the run depends on what
//            the block does:
//              - customer chat (`chat.startSession` / `restoreSession`): the chat must reach the
//                server with the example's username and subject, and its `sendMessage(...)`
//                text in the transcript (agents' REST API); then a test agent accepts and
//                replies, and the example's `onMessageReceived` handler must log the reply
//                (`onAgentConnected`: a "… joined" line; `onSessionEnded`: an "ended" line once
//                the agent ends the chat);
//              - agent console (`Microsoft.CIFramework`): a customer chat is started first (in
//                another context), so the example opens it and its reply must reach that
//                customer; the customer's answer must then reach the example's
//                `hotline.conversationMessage` handler;
//              - anything else (`init()`): it must finish, with the wasm module loaded.
//            Page errors, console errors and failed page assets fail every page test.
//   ```ts    type-checked with the TypeScript compiler API, with tests/types/tsconfig.json's
//            options (strict, bundler resolution of `hotline` through package.json `exports`,
//            against the built pkg/*.d.ts), as if the block were a file in tests/readme/; then
//            transpiled (`transpileModule`) and run like a js block.
//   ```html  the block becomes the body of that page (script and server URLs → the test server,
//            scripts recreated so they run): the chat window must appear with its launcher,
//            show the form, and start a chat that the agents' REST API sees (kept in
//            localStorage when the tag says so); the widget must not complain about any data-*
//            value.
//   ```sh    developer commands, line by line (comments dropped, `\` lines joined):
//              executed:  `node_modules/.bin/tsc -p tests/types` (3 s, read-only), and
//                         `target/debug/hotline-server …` with its flags as written except
//                         `--listen` (→ 127.0.0.1:0) and `--db` (→ a temp file), so it cannot
//                         clash with a running server; it must print its listening line;
//              static:    everything heavy, long-running or needing other tools: `npm start`,
//                         `npm test` (the npm script and the file it runs exist), `npm install
//                         NAME` (NAME is this package's name), `scripts/*` (exists, executable),
//                         `cargo test|build` (`-p` names a workspace package, `--test NAME` a
//                         file in that package's tests/, known flags only), `wasm-pack test …
//                         -- --test NAME` (the file exists), `node --test PATHS` (paths exist;
//                         `--test-name-pattern` matches a test name written in the file);
//                         the hotline-server flags of every line are checked against the `--help`
//                         of the binary under test (HOTLINE_SERVER_BIN); environment variables
//                         must be ones the tools read (HOTLINE_TEST_SERVER is read by
//                         tests/browser_support; CHROMEDRIVER and NO_HEADLESS by
//                         wasm-bindgen-test-runner, CHROMEDRIVER with the path scripts/test uses).
//              A command none of these knows fails the test, so a new one gets a check.
//   ```      (no language) only with `<!-- readme-test: skip (not code) -->` on the line before
//            the fence (the repository layout tree); any other unknown block fails.

import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import ts from 'typescript';

import { launchBrowser, requirePkg } from '../agent/harness.mjs';
import { openPanel, startChat } from '../e2e/world.mjs';
import { AgentClient } from '../support/agent.mjs';
import { AGENTS, repoRoot, serverBinary, startServer } from '../support/server.mjs';

const run = promisify(execFile);
const README = path.join(repoRoot, 'README.md');
const SKIP_MARKER = '<!-- readme-test: skip (not code) -->';
/** The demo agent of `npm start` that the README's agent example signs in as. */
const DEMO_AGENT = { username: 'agent', password: 'hotline' };
/** URLs the examples use for "your hotline-server"; each becomes the test server's URL. */
const PLACEHOLDER_URLS = ['https://chat.example.com', 'http://127.0.0.1:8080'];
const AGENT_REPLY = 'Reply from the README test agent';
const CUSTOMER_ANSWER = 'Thanks, from the README test customer';

// ---- README.md → blocks ----------------------------------------------------------------------

/** Every fenced block: `{lang, code, heading, line, skip}` (`line` 1-based, of the fence). */
export function readmeBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1].trim();
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, marks, lang] = fence;
    let prev = i - 1;
    while (prev >= 0 && lines[prev].trim() === '') prev--;
    const skip = prev >= 0 && lines[prev].trim() === SKIP_MARKER;
    const body = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j].startsWith(indent + marks[0].repeat(3)) && lines[j].trim().startsWith(marks))) {
      body.push(lines[j]);
      j++;
    }
    assert.ok(j < lines.length, `README.md:${i + 1}: the block that opens here is never closed`);
    blocks.push({ lang: lang.toLowerCase(), code: body.join('\n'), heading, line: i + 1, skip });
    i = j;
  }
  return blocks;
}

function excerpt(code) {
  const first = code.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#') && !l.startsWith('//')) ?? '';
  return first.length > 50 ? `${first.slice(0, 49)}…` : first;
}

const BLOCKS = readmeBlocks(readFileSync(README, 'utf8'));

// ---- the world: one server, one browser --------------------------------------------------------

let server;
let browser;
let agentApi;
let exampleCount = 0;
const contexts = [];

before(async () => {
  requirePkg();
  server = await startServer({ staticDir: true, args: ['--agent', `${DEMO_AGENT.username}:${DEMO_AGENT.password}`] });
  try {
    browser = await launchBrowser();
    agentApi = await AgentClient.login(server.url, AGENTS[0].username, AGENTS[0].password);
  } catch (error) {
    await server.stop();
    throw error;
  }
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
});

function substitute(code) {
  let out = code;
  for (const url of PLACEHOLDER_URLS) out = out.split(url).join(server.url);
  return out;
}

/**
 * A page in a fresh context: tests/readme/example.html from the test server (base `/`, the
 * import map), with `html` put into its body, scripts included (they run in document order, as
 * if written there). Records console lines (`{type, text, args}`, args as JSON values), page
 * errors and failed page assets in `page.record`.
 */
async function examplePage(html, label) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const record = { console: [], problems: [], wasmLoaded: false };
  page.record = record;
  page.on('pageerror', (error) => record.problems.push(`${label}: page error: ${error.stack || error.message}`));
  page.on('console', async (message) => {
    const entry = { type: message.type(), text: message.text(), args: [] };
    record.console.push(entry);
    if (entry.type === 'error' && !entry.text.startsWith('Failed to load resource')) {
      record.problems.push(`${label}: console error: ${entry.text}`);
    }
    for (const arg of message.args()) entry.args.push(await arg.jsonValue().catch(() => undefined));
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.endsWith('/hotline_bg.wasm') && response.ok()) record.wasmLoaded = true;
    const asset = /\.(html|js|mjs|css|wasm|png|svg)$/.test(url.pathname);
    if (response.status() >= 400 && asset) record.problems.push(`${label}: ${response.status()} for ${url.pathname}`);
  });
  await page.goto(`${server.url}/tests/readme/example.html?${++exampleCount}`);
  await page.evaluate((html) => {
    // Scripts parsed by <template> never run: each is replaced by a fresh one, attributes and
    // text copied, as a parser would have made it.
    const template = document.createElement('template');
    template.innerHTML = html;
    for (const old of template.content.querySelectorAll('script')) {
      const script = document.createElement('script');
      for (const { name, value } of old.attributes) script.setAttribute(name, value);
      script.textContent = old.textContent;
      old.replaceWith(script);
    }
    document.body.append(template.content);
  }, html);
  return page;
}

/** Runs `code` as the page's module script; resolves once its top level finished. */
async function runModule(code, label) {
  assert.ok(!/<\/script/i.test(code), `${label}: a module example cannot contain </script>`);
  const script = `<script type="module">\n${code}\n;window.__readmeExampleDone = true;\n</script>`;
  const page = await examplePage(script, label);
  await page.waitForFunction(() => window.__readmeExampleDone === true, null, { timeout: 20_000 })
    .catch((error) => {
      throw new Error(`${label}: the example did not finish: ${error.message}\n${page.record.problems.join('\n')}`);
    });
  return page;
}

function assertNoProblems(page) {
  assert.deepEqual(page.record.problems, [], 'page errors, console errors or failed assets');
}

/** Waits for a console line `predicate` accepts. */
async function waitForConsole(page, predicate, what, timeout = 15_000) {
  const started = Date.now();
  for (;;) {
    const hit = page.record.console.find(predicate);
    if (hit) return hit;
    if (Date.now() - started > timeout) {
      assert.fail(`no console line ${what}; seen: ${JSON.stringify(page.record.console.map((c) => c.text))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function poll(fn, what, timeout = 15_000) {
  const started = Date.now();
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() - started > timeout) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const knownChats = async () => new Set((await agentApi.list('all')).map((c) => c.chatId));

/** The conversations that are new since `before` (a Set of chatIds), once there is one. */
async function newConversation(before, what) {
  return poll(async () => (await agentApi.list('all')).find((c) => !before.has(c.chatId)), `a new conversation (${what})`);
}

/** Ends every queued or active conversation, so an agent example's queue holds only its own. */
async function endOpenConversations() {
  for (const c of await agentApi.list('all')) {
    if (c.status === 'ended' || c.endedAt) continue;
    if (!c.agentIds?.length || !c.agentIds.includes(agentApi.agentId)) await agentApi.accept(c.chatId).catch(() => {});
    await agentApi.end(c.chatId).catch(() => {});
  }
}

// ---- what runs in the page --------------------------------------------------------------------

const str = (re, code) => re.exec(code)?.[1];

async function runCustomerExample(code, label) {
  const username = str(/username:\s*'([^']*)'/, code);
  const subject = str(/subject:\s*'([^']*)'/, code);
  const sent = str(/sendMessage\('([^']*)'\)/, code);
  const before = await knownChats();
  const page = await runModule(code, label);

  // The chat reached the server as the example describes it.
  const conversation = await newConversation(before, label);
  if (username) assert.equal(conversation.nickname, username, 'the chat has the example\'s username');
  if (subject) assert.equal(conversation.subject, subject, 'the chat has the example\'s subject');
  if (sent) {
    await poll(async () => (await agentApi.transcript(conversation.chatId)).messages
      .find((m) => m.type === 'Message' && m.from.type === 'Client' && m.text === sent), `"${sent}" in the transcript`);
  }

  // An agent answers: the example's handlers see it.
  await agentApi.accept(conversation.chatId);
  if (code.includes('onAgentConnected')) {
    await waitForConsole(page, (c) => / joined$/.test(c.text), 'saying the agent joined');
  }
  await agentApi.send(conversation.chatId, AGENT_REPLY);
  if (code.includes('onMessageReceived')) {
    await waitForConsole(page, (c) => c.text.includes(AGENT_REPLY), `with the agent's reply`);
  }
  await agentApi.end(conversation.chatId);
  if (code.includes('onSessionEnded')) {
    await waitForConsole(page, (c) => c.text.startsWith('ended'), 'saying the chat ended');
  }
  assertNoProblems(page);
  await page.context().close();
}

async function runAgentExample(code, label) {
  const reply = str(/sendMessageToConversation\('([^']*)'/, code);
  await endOpenConversations();
  // A customer waiting in the queue, in its own context (the agent test page, globals mode).
  const before = await knownChats();
  const customer = await examplePage('<script type="module" src="/pkg/hotline-globals.js"></script>', `${label} (customer)`);
  await customer.waitForFunction(() => window.hotlineReady);
  await customer.evaluate(() => window.hotlineReady);
  await customer.evaluate((serverUrl) => new Promise((resolve, reject) => {
    window.received = [];
    chat.startSession({ serverUrl, username: 'README customer', subject: 'agent example' })
      .done((session) => {
        window.session = session;
        session.onMessageReceived((e) => window.received.push({ agent: Boolean(e.party.type.agent), text: e.content.text }));
        resolve();
      })
      .fail((e) => reject(new Error(e.error.description)));
  }), server.url);
  const conversation = await newConversation(before, 'the customer of the agent example');

  const page = await runModule(code, label);
  if (reply) {
    await customer.waitForFunction((text) => window.received.some((m) => m.agent && m.text === text), reply);
  }
  const record = (await agentApi.list('all')).find((c) => c.chatId === conversation.chatId);
  assert.equal(record.status === 'queued', false, 'the example took the conversation out of the queue');

  if (code.includes("'hotline.conversationMessage'")) {
    await customer.evaluate((text) => window.session.sendMessage(text), CUSTOMER_ANSWER);
    await waitForConsole(page, (c) => JSON.stringify(c.args).includes(CUSTOMER_ANSWER), 'with the customer\'s answer');
  }
  await agentApi.accept(conversation.chatId).catch(() => {});
  await agentApi.end(conversation.chatId).catch(() => {});
  assertNoProblems(customer);
  assertNoProblems(page);
  await customer.context().close();
  await page.context().close();
}

async function runPlainExample(code, label) {
  const page = await runModule(code, label);
  assert.equal(page.record.wasmLoaded, true, 'the page loaded pkg/hotline_bg.wasm');
  assert.equal(await page.evaluate(async () => typeof (await import('/pkg/hotline.js')).version()), 'string');
  assertNoProblems(page);
  await page.context().close();
}

function runScript(code, label) {
  const js = substitute(code);
  if (/\bMicrosoft\b|CIFramework/.test(js)) return runAgentExample(js, label);
  if (/chat\.(startSession|restoreSession)/.test(js)) return runCustomerExample(js, label);
  return runPlainExample(js, label);
}

// ---- TypeScript -------------------------------------------------------------------------------

/** Type-checks `code` as the file tests/readme/<name>.ts with tests/types' compiler options. */
function typeCheck(code, name) {
  const configPath = path.join(repoRoot, 'tests', 'types', 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  assert.equal(config.error, undefined, 'tests/types/tsconfig.json reads');
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  const fileName = path.join(repoRoot, 'tests', 'readme', `${name}.ts`);
  const host = ts.createCompilerHost(parsed.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => path.resolve(f) === fileName || fileExists.call(host, f);
  host.readFile = (f) => (path.resolve(f) === fileName ? code : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) => (path.resolve(f) === fileName
    ? ts.createSourceFile(f, code, lang)
    : getSourceFile.call(host, f, lang, ...rest));
  const program = ts.createProgram({ rootNames: [fileName], options: { ...parsed.options, noEmit: true }, host });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f, getCurrentDirectory: () => repoRoot, getNewLine: () => '\n',
  });
  assert.equal(diagnostics.length, 0, `tsc finds errors in the README's TypeScript:\n${text}`);
}

function transpile(code) {
  return ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
  }).outputText;
}

// ---- html -------------------------------------------------------------------------------------

async function runHtml(code, label) {
  const html = substitute(code);
  assert.ok(html.includes(`${server.url}/www/chat-window.js`) || html.includes('/www/chat-window.js'), 'the block loads the chat window');
  const before = await knownChats();
  const page = await examplePage(html, label);
  await page.waitForSelector('#hotline-chat:not([hidden]):not([data-view="loading"])', { state: 'attached' });
  assert.equal(await page.getAttribute('#hotline-chat', 'data-view'), 'form');
  assert.equal(await page.isVisible('#chat-launcher'), true, 'the launcher is shown');
  await openPanel(page);
  assert.equal(await page.isVisible('#chat-name'), true, 'the form asks for a name');
  await startChat(page, { name: 'README visitor', subject: 'chat window example' });
  const conversation = await newConversation(before, label);
  assert.equal(conversation.nickname, 'README visitor');
  assert.equal(conversation.subject, 'chat window example');
  if (/data-storage="localStorage"/.test(html)) {
    assert.ok(await page.evaluate(() => localStorage.length > 0), 'data-storage="localStorage": the chat is kept in localStorage');
  }
  const complaints = page.record.console.filter((c) => c.type === 'warning' || c.type === 'error');
  assert.deepEqual(complaints.map((c) => c.text), [], 'the chat window accepts every data-* value of the example');
  await agentApi.accept(conversation.chatId);
  await agentApi.end(conversation.chatId);
  assertNoProblems(page);
  await page.context().close();
}

// ---- sh ---------------------------------------------------------------------------------------

/** Shell words of one command line (single and double quotes; no expansions). */
function shellWords(line) {
  const words = [];
  let word = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'" || ch === '"') {
      const end = line.indexOf(ch, i + 1);
      assert.ok(end > i, `unbalanced quote in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (ch === '#' && word === null) {
      break; // a comment
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The block's commands: `\` continuations joined, comments and blank lines dropped. */
function shellCommands(code) {
  const commands = [];
  let pending = '';
  for (const raw of code.split('\n')) {
    const line = pending + raw;
    if (line.trimEnd().endsWith('\\')) {
      pending = `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    pending = '';
    const words = shellWords(line);
    if (words.length) commands.push({ text: line.trim().replace(/\s+/g, ' '), words });
  }
  return commands;
}

const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const CARGO_PACKAGES = {
  hotline: { dir: repoRoot, manifest: path.join(repoRoot, 'Cargo.toml') },
  'hotline-server': { dir: path.join(repoRoot, 'server'), manifest: path.join(repoRoot, 'server', 'Cargo.toml') },
};
let helpFlags;

async function serverFlags() {
  if (!helpFlags) {
    const { stdout } = await run(serverBinary(), ['--help']);
    helpFlags = new Set([...stdout.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]));
  }
  return helpFlags;
}

function assertExecutable(rel) {
  const file = path.join(repoRoot, rel);
  assert.ok(existsSync(file), `${rel} exists`);
  accessSync(file, constants.X_OK);
}

const ENV_CHECKS = {
  HOTLINE_TEST_SERVER: () => assert.match(readFileSync(path.join(repoRoot, 'tests', 'browser_support', 'mod.rs'), 'utf8'), /HOTLINE_TEST_SERVER/),
  CHROMEDRIVER: (value) => assert.ok(readFileSync(path.join(repoRoot, 'scripts', 'test'), 'utf8').includes(`CHROMEDRIVER=${value}`), `CHROMEDRIVER=${value} is what scripts/test uses`),
  NO_HEADLESS: () => {},
};

/** Checks one command; returns 'executed' or 'static'. */
async function checkCommand(words) {
  const args = [...words];
  while (args.length && /^[A-Z_][A-Z0-9_]*=/.test(args[0])) {
    const [name, ...value] = args.shift().split('=');
    assert.ok(ENV_CHECKS[name], `environment variable ${name} is one the tools read (add a check for it)`);
    ENV_CHECKS[name](value.join('='));
  }
  if (args.at(-1) === '&') args.pop();
  const [cmd, ...rest] = args;

  if (cmd === 'npm') {
    const [sub, ...more] = rest;
    if (sub === 'start' || sub === 'test') {
      const script = packageJson.scripts?.[sub];
      assert.ok(script, `package.json has an npm script "${sub}"`);
      const file = script.split(/\s+/)[0];
      if (file.includes('/')) assertExecutable(file);
      if (more.length) assert.equal(more[0], '--', 'npm passes arguments after --');
      return 'static';
    }
    if (sub === 'install') {
      assert.deepEqual(more, [packageJson.name], 'npm install installs this package, by its name');
      return 'static';
    }
    assert.fail(`npm ${sub}: no check for it`);
  }

  if (cmd.startsWith('scripts/')) {
    assertExecutable(cmd);
    return 'static';
  }

  if (cmd === 'cargo') {
    const [sub, ...more] = rest;
    assert.ok(['test', 'build'].includes(sub), `cargo ${sub}: no check for it`);
    let pkg = null;
    const testTargets = [];
    for (let i = 0; i < more.length; i++) {
      const a = more[i];
      if (a === '-p' || a === '--package') pkg = more[++i];
      else if (a === '--test') testTargets.push(more[++i]);
      else if (a === '--target') assert.match(more[++i], /^[a-z0-9_]+-[a-z0-9_-]+$/, 'a target triple');
      else if (['--workspace', '--release', '--tests'].includes(a)) { /* known */ }
      else if (a.startsWith('-')) assert.fail(`cargo ${sub} ${a}: unknown flag`);
      else assert.equal(sub, 'test', `cargo ${sub} ${a}: a test name filter only makes sense for cargo test`);
    }
    assert.ok(pkg, 'the command names its package (-p)');
    const info = CARGO_PACKAGES[pkg];
    assert.ok(info, `-p ${pkg} is a package of the workspace`);
    assert.match(readFileSync(info.manifest, 'utf8'), new RegExp(`^name = "${pkg}"$`, 'm'), `${info.manifest} names ${pkg}`);
    for (const t of testTargets) {
      assert.ok(existsSync(path.join(info.dir, 'tests', `${t}.rs`)), `--test ${t}: ${path.relative(repoRoot, path.join(info.dir, 'tests', `${t}.rs`))} exists`);
    }
    return 'static';
  }

  if (cmd === 'wasm-pack') {
    assert.equal(rest[0], 'test', 'wasm-pack test');
    const dashes = rest.indexOf('--');
    const cargoArgs = dashes >= 0 ? rest.slice(dashes + 1) : [];
    for (let i = 0; i < cargoArgs.length; i++) {
      if (cargoArgs[i] === '--test') {
        const t = cargoArgs[++i];
        assert.ok(existsSync(path.join(repoRoot, 'tests', `${t}.rs`)), `--test ${t}: tests/${t}.rs exists`);
      }
    }
    return 'static';
  }

  if (cmd === 'node') {
    assert.equal(rest[0], '--test', 'node --test');
    const patterns = [];
    const paths = [];
    for (const a of rest.slice(1)) {
      if (a.startsWith('--test-name-pattern=')) patterns.push(new RegExp(a.slice('--test-name-pattern='.length)));
      else if (a.startsWith('-')) assert.fail(`node --test ${a}: no check for this flag`);
      else paths.push(a);
    }
    assert.ok(paths.length, 'node --test names what to run');
    for (const p of paths) {
      assert.ok(existsSync(path.join(repoRoot, p)), `${p} exists`);
      if (!statSync(path.join(repoRoot, p)).isDirectory()) {
        const source = readFileSync(path.join(repoRoot, p), 'utf8');
        const names = [...source.matchAll(/\b(?:test|it|describe)\(\s*(['"`])(.*?)\1/g)].map((m) => m[2]);
        for (const re of patterns) assert.ok(names.some((n) => re.test(n)), `--test-name-pattern=${re.source} matches a test of ${p}`);
      }
    }
    return 'static';
  }

  if (cmd === 'node_modules/.bin/tsc') {
    assert.deepEqual(rest, ['-p', 'tests/types']);
    await run(path.join(repoRoot, cmd), rest, { cwd: repoRoot }).catch((error) => {
      assert.fail(`${cmd} ${rest.join(' ')} failed:\n${error.stdout}${error.stderr}`);
    });
    return 'executed';
  }

  if (/^target\/(debug|release)\/hotline-server$/.test(cmd)) {
    const flags = await serverFlags();
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      assert.ok(a.startsWith('--'), `hotline-server ${a}: a flag was expected (values follow their flag)`);
      assert.ok(flags.has(a), `hotline-server ${a}: the flag is in hotline-server --help`);
      if (!['--help', '--version'].includes(a)) {
        assert.ok(rest[i + 1] && !rest[i + 1].startsWith('--'), `hotline-server ${a} has a value`);
        i++;
      }
    }
    await runServerLine(rest);
    return 'executed';
  }

  assert.fail(`no check for the command "${cmd}": add one to tests/readme/readme.test.mjs`);
}

/** Runs the binary under test with the line's flags, `--listen`/`--db` made safe; waits for it to listen. */
async function runServerLine(rest) {
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-readme-'));
  const argv = [...rest];
  const set = (flag, value) => {
    const i = argv.indexOf(flag);
    if (i >= 0) argv[i + 1] = value;
  };
  set('--listen', '127.0.0.1:0');
  set('--db', path.join(dir, 'readme.db'));
  const child = spawn(serverBinary(), argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hotline-server ${argv.join(' ')} did not listen:\n${stderr}`)), 15_000);
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`hotline-server ${argv.join(' ')} exited (${code}):\n${stderr}`)); });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (/^hotline-server listening on http/.test(line)) { clearTimeout(timer); resolve(); }
      });
    });
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function checkShell(code, t) {
  const commands = shellCommands(code);
  assert.ok(commands.length, 'the block has commands');
  for (const { text, words } of commands) {
    await t.test(text.length > 90 ? `${text.slice(0, 89)}…` : text, async () => {
      const how = await checkCommand(words);
      t.diagnostic(`${how}: ${text}`);
    });
  }
}

// ---- one test per block -----------------------------------------------------------------------

test('README.md has code blocks to test', () => {
  assert.ok(BLOCKS.length > 0);
  for (const block of BLOCKS) {
    if (block.skip) assert.equal(block.lang, '', `README.md:${block.line}: only blocks without a language may be skipped`);
  }
});

for (const block of BLOCKS) {
  const name = `README.md:${block.line} ${block.lang || '(no language)'} under "${block.heading}": ${excerpt(block.code)}`;
  const label = `README.md:${block.line}`;
  test(name, { timeout: 60_000 }, async (t) => {
    if (block.skip) {
      assert.equal(block.lang, '', 'only a block without a language may be marked as not code');
      t.skip('marked "not code"');
      return;
    }
    switch (block.lang) {
      case 'js':
      case 'javascript':
        await runScript(block.code, label);
        break;
      case 'ts':
      case 'typescript':
        typeCheck(block.code, `readme-example-line-${block.line}`);
        await runScript(transpile(block.code), label);
        break;
      case 'html':
        await runHtml(block.code, label);
        break;
      case 'sh':
      case 'bash':
      case 'shell':
        await checkShell(block.code, t);
        break;
      default:
        assert.fail(`${label}: a \`\`\`${block.lang} block that no test runs: give it a language this file runs, `
          + `or, when it is not code, put ${SKIP_MARKER} on the line before its fence`);
    }
  });
}
