// The npm package as a user gets it: `npm pack` (of the pkg/ that scripts/build-wasm built),
// then the tarball installed with Vite 7 into a scratch project outside the repository (once
// for the whole file; npm's cache makes later runs quick). Then, in headless Chromium, on
// pages a hotline-server serves from that project:
//   (a) a TypeScript app importing `hotline`, type-checked with tsc and built with `vite build`;
//   (b) a plain page whose <script type="module"> imports node_modules/hotline/pkg/hotline.js;
//   (c) the globals mode: one <script type="module" src=".../hotline-globals.js"> tag with
//       data-cif-server-url, then `window.chat` and `window.Microsoft` from a classic script.
// Each page starts a chat that the agent side sees, and receives the agent's message.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { launchBrowser, requirePkg } from '../agent/harness.mjs';
import { AgentClient } from '../support/agent.mjs';
import { AGENTS, repoRoot, startServer } from '../support/server.mjs';

const run = promisify(execFile);
const AGENT = AGENTS[0];
/** What the tarball holds besides pkg/snippets/: the wasm, the glue, the typings, the README. */
const EXPECTED_FILES = [
  'README.md',
  'package.json',
  'pkg/hotline-globals.d.ts',
  'pkg/hotline-globals.js',
  'pkg/hotline.d.ts',
  'pkg/hotline.js',
  'pkg/hotline_bg.wasm',
  'pkg/hotline_bg.wasm.d.ts',
];
const VITE = 'vite@7';

/** Runs a command; on failure the error says what it printed. */
async function sh(command, args, options = {}) {
  try {
    return await run(command, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    error.message += `\n--- stdout ---\n${error.stdout ?? ''}\n--- stderr ---\n${error.stderr ?? ''}`;
    throw error;
  }
}

/** The inline-JS snippets the generated glue imports (`./snippets/…`). */
function snippetImports() {
  const glue = readFileSync(path.join(repoRoot, 'pkg', 'hotline.js'), 'utf8');
  return [...new Set([...glue.matchAll(/from\s+["']\.\/(snippets\/[^"']+)["']/g)].map((m) => `pkg/${m[1]}`))].sort();
}

// ---- the scratch project ------------------------------------------------------------------

const APP_TS = `// A TypeScript app, as an npm user writes it.
import init, { chat, version, type MessageReceivedEvent, type Session } from 'hotline';

interface PageResult {
  version: string;
  sessionId?: string;
  error?: string;
  messages: Array<{ text: string; agent: boolean }>;
}

declare global {
  interface Window {
    result: PageResult;
  }
}

await init();
const name = new URLSearchParams(location.search).get('name') ?? 'Vite';
window.result = { version: version(), messages: [] };
chat
  .startSession({ serverUrl: location.origin, username: name, subject: 'packaging' })
  .done((session: Session) => {
    window.result.sessionId = session.sessionId;
    session.onMessageReceived((event: MessageReceivedEvent) => {
      window.result.messages.push({ text: event.content.text, agent: Boolean(event.party.type.agent) });
    });
  })
  .fail((error) => {
    window.result.error = \`\${error.code}: \${error.description}\`;
  });
`;

const APP_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>hotline in a Vite app</title></head>
  <body><script type="module" src="/main.ts"></script></body>
</html>
`;

const APP_TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'bundler',
    lib: ['ES2022', 'DOM'],
    types: [],
    skipLibCheck: false,
    isolatedModules: true,
  },
  files: ['main.ts'],
};

const PLAIN_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>hotline from node_modules</title></head>
  <body>
    <script type="module">
      import init, { chat, version } from '/node_modules/hotline/pkg/hotline.js';
      await init();
      window.result = { version: version(), messages: [] };
      chat.startSession({ serverUrl: location.origin, username: 'Plain', subject: 'packaging' })
        .done((session) => {
          window.result.sessionId = session.sessionId;
          session.onMessageReceived((event) => {
            window.result.messages.push({ text: event.content.text, agent: Boolean(event.party.type.agent) });
          });
        })
        .fail((error) => { window.result.error = error.code + ': ' + error.description; });
    </script>
  </body>
</html>
`;

/** The globals page: one module script tag for the SDK, the page's code in a classic script. */
function globalsHtml({ serverUrl, token }) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8"><title>hotline globals</title>
    <script type="module" src="/node_modules/hotline/pkg/hotline-globals.js"
      data-cif-server-url="${serverUrl}" data-cif-token="${token}"></script>
    <script>
      window.result = { ready: false, cifInitDone: false, messages: [] };
      window.addEventListener('CIFInitDone', function () { window.result.cifInitDone = true; });
      window.addEventListener('hotline:ready', function () {
        window.result.ready = true;
        window.result.globals = typeof window.chat.startSession + ' ' +
          typeof window.Microsoft.CIFramework.initialize + ' ' + typeof window.Microsoft.Omnichannel.getConversations;
        chat.startSession({ serverUrl: location.origin, username: 'Globals', subject: 'packaging' })
          .done(function (session) {
            window.result.sessionId = session.sessionId;
            session.onMessageReceived(function (event) {
              window.result.messages.push({ text: event.content.text, agent: Boolean(event.party.type.agent) });
            });
          })
          .fail(function (error) { window.result.error = error.code + ': ' + error.description; });
      });
    </script>
  </head>
  <body></body>
</html>
`;
}

// ---- the run ------------------------------------------------------------------------------

describe('the npm package', () => {
  let dir; // temp dir: the tarball and the scratch project
  let app; // the scratch project
  let packed; // npm pack --json, the one entry
  let server;
  let browser;
  const problems = [];
  const contexts = [];

  before(async () => {
    requirePkg();
    dir = await mkdtemp(path.join(tmpdir(), 'hotline-npm-'));
    app = path.join(dir, 'app');
    await mkdir(app);
    // --ignore-scripts: pkg/ is built already (the prepack script would build it again).
    const { stdout } = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repoRoot });
    [packed] = JSON.parse(stdout);
    await writeFile(path.join(app, 'package.json'), `${JSON.stringify({ name: 'hotline-scratch-app', private: true, type: 'module' }, null, 2)}\n`);
    await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', VITE, path.join(dir, packed.filename)], { cwd: app });
  }, { timeout: 300_000 });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Each test asserts on the problems of its own pages.
  beforeEach(() => {
    problems.length = 0;
  });

  /** The server (serving the scratch project) and the browser, started on first use. */
  async function world() {
    if (!server) server = await startServer({ staticDir: app });
    if (!browser) browser = await launchBrowser();
    return server;
  }

  async function open(relativeUrl, label) {
    await world();
    const context = await browser.newContext();
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
      if (response.status() >= 400 && !new URL(response.url()).pathname.endsWith('favicon.ico')) {
        problems.push(`${label}: ${response.status()} for ${response.url()}`);
      }
    });
    await page.goto(`${server.url}${relativeUrl}`);
    return page;
  }

  /**
   * Waits for the page's chat (`window.result`), checks the agent API sees it in the queue,
   * has the agent accept it and answer, and waits for the answer in the page.
   */
  async function chatReachesAgent(page, name, answer = async (agent, chatId) => {
    await agent.accept(chatId);
    await agent.send(chatId, `Hello ${name}`);
  }) {
    const handle = await page.waitForFunction(() => window.result && (window.result.sessionId || window.result.error));
    const result = await handle.jsonValue();
    const pageState = await page.evaluate(() => window.result);
    assert.equal(pageState.error, undefined, `${name}: startSession failed: ${pageState.error}`);
    assert.equal(typeof result, 'string');
    const agent = await AgentClient.login(server.url, AGENT.username, AGENT.password);
    let queued;
    for (let tries = 0; tries < 100 && !queued; tries++) {
      queued = (await agent.list('queue')).find((c) => c.nickname === name);
      if (!queued) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(queued, `${name}'s chat is in the agent's queue`);
    assert.equal(queued.chatId, pageState.sessionId, 'session.sessionId is the chat the agent sees');
    assert.equal(queued.subject, 'packaging');
    await answer(agent, queued.chatId);
    await page.waitForFunction(
      (text) => window.result.messages.some((m) => m.agent && m.text === text),
      `Hello ${name}`,
    );
    return queued.chatId;
  }

  test('npm pack holds the wasm, the JS glue (with its snippets), the typings and the README, and nothing else', () => {
    const files = packed.files.map((f) => f.path).sort();
    const snippets = snippetImports();
    assert.ok(snippets.length > 0, 'the glue imports inline-JS snippets');
    assert.deepEqual(files, [...EXPECTED_FILES, ...snippets].sort());
    assert.equal(packed.name, 'hotline');
  });

  test('the installed package resolves through its exports', async () => {
    const installed = JSON.parse(await readFile(path.join(app, 'node_modules', 'hotline', 'package.json'), 'utf8'));
    assert.equal(installed.private, undefined);
    const require = createRequire(path.join(app, 'index.js'));
    const root = path.join(app, 'node_modules', 'hotline');
    assert.equal(require.resolve('hotline'), path.join(root, 'pkg', 'hotline.js'));
    assert.equal(require.resolve('hotline/globals'), path.join(root, 'pkg', 'hotline-globals.js'));
    assert.equal(require.resolve('hotline/hotline_bg.wasm'), path.join(root, 'pkg', 'hotline_bg.wasm'));
    assert.equal(require.resolve('hotline/package.json'), path.join(root, 'package.json'));
    assert.throws(() => require.resolve('hotline/pkg/hotline.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });

  test('(a) a Vite 7 TypeScript app: tsc passes, vite build, the built page starts a chat', async () => {
    await writeFile(path.join(app, 'index.html'), APP_HTML);
    await writeFile(path.join(app, 'main.ts'), APP_TS);
    await writeFile(path.join(app, 'tsconfig.json'), `${JSON.stringify(APP_TSCONFIG, null, 2)}\n`);
    // The typings as installed (node_modules/hotline/pkg/*.d.ts, found through `exports`).
    await sh(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app });
    await sh(process.execPath, [path.join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--base=/dist/', '--logLevel=warn'], { cwd: app });
    const assets = await readdir(path.join(app, 'dist', 'assets'));
    assert.ok(assets.some((f) => /^hotline_bg-.*\.wasm$/.test(f)), `vite emitted the wasm as an asset: ${assets}`);

    const page = await open('/dist/index.html?name=Vite', 'vite app');
    await chatReachesAgent(page, 'Vite');
    assert.match(await page.evaluate(() => window.result.version), /^\d+\.\d+\.\d+/);
    assert.deepEqual(problems, []);
  });

  test('(b) a plain <script type="module"> page importing node_modules/hotline/pkg/hotline.js', async () => {
    await mkdir(path.join(app, 'plain'), { recursive: true });
    await writeFile(path.join(app, 'plain', 'index.html'), PLAIN_HTML);
    const page = await open('/plain/index.html', 'plain page');
    await chatReachesAgent(page, 'Plain');
    assert.deepEqual(problems, []);
  });

  test('(c) globals mode from one script tag: window.chat starts a chat, window.Microsoft.CIFramework initializes', async () => {
    await world();
    // The agent's token goes on the script tag (data-cif-token), as a signed-in console has it.
    const agent = await AgentClient.login(server.url, AGENT.username, AGENT.password);
    await mkdir(path.join(app, 'plain'), { recursive: true });
    await writeFile(path.join(app, 'plain', 'globals.html'), globalsHtml({ serverUrl: server.url, token: agent.token }));
    const page = await open('/plain/globals.html', 'globals page');
    await page.waitForFunction(() => window.result.ready && window.result.cifInitDone);
    assert.equal(await page.evaluate(() => window.result.globals), 'function function function');
    assert.equal(await page.evaluate(async () => (await window.hotlineReady) === window.chat), true);

    // The customer's chat, answered from the same page through window.Microsoft: the signed-in
    // CIF finds it with getConversations, opens it and sends the answer.
    await chatReachesAgent(page, 'Globals', async (_agent, chatId) => {
      const opened = await page.evaluate(
        async ({ agentId, chatId }) => {
          const { Omnichannel } = window.Microsoft;
          const records = await Omnichannel.getConversations({ agentId, includeQueue: true, status: [1, 2] });
          const found = records.some((r) => r.msdyn_ocliveworkitemid === chatId);
          const sessionId = await Omnichannel.openConversation(chatId);
          await Omnichannel.sendMessageToConversation('Hello Globals', false);
          return { found, sessionId, workspace: window.Microsoft.CIFramework.getWorkspace() };
        },
        { agentId: AGENT.username, chatId },
      );
      assert.equal(opened.found, true, 'getConversations lists the chat');
      assert.equal(opened.workspace.sessions.find((s) => s.sessionId === opened.sessionId)?.conversationId, chatId);
    });
    assert.deepEqual(problems, []);
  });
});
