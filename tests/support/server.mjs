// Starts a real hotline-server for a Node test, on a free loopback port and a fresh SQLite file.
//
//   import { startServer, withServer } from '../support/server.mjs';
//
//   test('something', async () => {
//     await withServer(async (server) => {
//       const res = await fetch(`${server.url}/cometd`, ...);
//     });
//   });
//
// The binary is $HOTLINE_SERVER_BIN (scripts/test sets it), else target/debug/hotline-server.
// Every server gets `--listen 127.0.0.1:0 --db <temp dir>/hotline.db` and the agents in AGENTS;
// pass `args` for more flags, and `staticDir` to serve a folder at / (`true`: the repository
// root, so that pages can load `pkg/`, `www/` and test pages). The server's output is kept and
// printed when the test fails (set HOTLINE_SERVER_LOG=1 to see it live instead).

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The agents every test server knows (`--agent user:password`). */
export const AGENTS = Object.freeze([
  Object.freeze({ username: 'agent1', password: 'secret1' }),
  Object.freeze({ username: 'agent2', password: 'secret2' }),
]);

const READY = /^hotline-server listening on (https?:\/\/\S+)/;
const MAX_LOG_LINES = 2000;

/** Path of the server binary the tests run. */
export function serverBinary() {
  const fromEnv = process.env.HOTLINE_SERVER_BIN;
  return fromEnv ? path.resolve(fromEnv) : path.join(repoRoot, 'target', 'debug', 'hotline-server');
}

/**
 * Starts hotline-server and resolves once it prints its "listening" line.
 *
 * @param {object} [options]
 * @param {string[]} [options.args] extra command-line flags
 * @param {Record<string,string>} [options.env] extra environment variables
 * @param {number} [options.readyTimeoutMs] how long to wait for the "listening" line
 * @param {string|boolean} [options.staticDir] folder served at / (`--static-dir`); `true` for
 *   the repository root
 * @returns {Promise<{url: string, dbPath: string, dir: string, argv: string[],
 *   log: () => string, exited: () => boolean, stop: () => Promise<void>}>}
 */
export async function startServer({ args = [], env = {}, readyTimeoutMs = 20_000, staticDir } = {}) {
  const bin = serverBinary();
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-test-'));
  const dbPath = path.join(dir, 'hotline.db');
  const argv = ['--listen', '127.0.0.1:0', '--db', dbPath];
  for (const { username, password } of AGENTS) argv.push('--agent', `${username}:${password}`);
  if (staticDir) argv.push('--static-dir', staticDir === true ? repoRoot : path.resolve(staticDir));
  argv.push(...args);

  const live = process.env.HOTLINE_SERVER_LOG === '1';
  const lines = [];
  const keep = (stream, line) => {
    if (live) process.stderr.write(`[hotline-server ${stream}] ${line}\n`);
    lines.push(`${stream}: ${line}`);
    if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
  };

  const child = spawn(bin, argv, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { RUST_LOG: 'info', NO_COLOR: '1', ...process.env, ...env },
  });
  let exitInfo = null;
  const exitedPromise = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    // A binary that cannot be spawned gives 'error' and maybe no 'exit'.
    child.once('error', () => {
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        resolve(exitInfo);
      }
    });
  });
  createInterface({ input: child.stderr }).on('line', (line) => keep('stderr', line));
  const stdout = createInterface({ input: child.stdout });

  const log = () => {
    const head = `$ ${bin} ${argv.join(' ')}`;
    const tail = exitInfo ? `\n(exited: code ${exitInfo.code}, signal ${exitInfo.signal})` : '';
    return `${head}\n${lines.join('\n')}${tail}`;
  };

  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (!exitInfo) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    }
  };

  let url;
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`hotline-server printed no "listening" line within ${readyTimeoutMs} ms`)),
        readyTimeoutMs,
      );
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(
          err.code === 'ENOENT'
            ? new Error(`no hotline-server binary at ${bin}: run \`cargo build -p hotline-server\` or set HOTLINE_SERVER_BIN`)
            : err,
        );
      });
      exitedPromise.then(({ code, signal }) => {
        clearTimeout(timer);
        if (child.pid !== undefined) {
          reject(new Error(`hotline-server exited before listening (code ${code}, signal ${signal})`));
        }
      });
      stdout.on('line', (line) => {
        keep('stdout', line);
        const m = READY.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/+$/, ''));
        }
      });
    });
  } catch (err) {
    await stop();
    err.message += `\n--- hotline-server output ---\n${log()}`;
    throw err;
  }

  return { url, dbPath, dir, argv, log, exited: () => exitInfo !== null, stop };
}

/**
 * Runs `fn(server)` with a fresh server and always stops it. When `fn` throws, the server's
 * output is printed to stderr before the error propagates, so a failing test shows it.
 */
export async function withServer(fn, options) {
  const server = await startServer(options);
  try {
    return await fn(server);
  } catch (err) {
    process.stderr.write(`\n--- hotline-server output (test failed) ---\n${server.log()}\n--- end ---\n`);
    throw err;
  } finally {
    await server.stop();
  }
}
