// Download size of the SDK next to an anchor measured in the same run (performance-anchors.md
// method: esbuild --bundle --minify --format=esm --platform=browser, then gzip -9).
//
//   node bench/size.mjs <pkg dir> [<customer-only pkg dir>]

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const [fullDir = 'pkg', customerDir] = process.argv.slice(2);

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function bundle(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return result.outputFiles[0].contents;
}

async function sdk(dir, label) {
  const wasm = await readFile(path.join(dir, 'hotline_bg.wasm'));
  const entry = path.resolve(dir, 'hotline.js').split(path.sep).join('/');
  const glue = await bundle(`import * as M from ${JSON.stringify(entry)}; globalThis.__sdk = M;`);
  return { label, raw: wasm.length + glue.length, gzip: gzip(wasm) + gzip(glue), detail: `wasm ${wasm.length} B (${gzip(wasm)} gz) + glue ${glue.length} B (${gzip(glue)} gz)` };
}

const rows = [];
if (customerDir) rows.push(await sdk(customerDir, 'hotline, customer build (chat only)'));
rows.push(await sdk(fullDir, 'hotline, full build (chat + CIF + Omnichannel)'));
const cometd = await bundle('import * as M from "cometd"; globalThis.__anchor = M;');
rows.push({ label: 'anchor: cometd (Bayeux transport only)', raw: cometd.length, gzip: gzip(cometd), detail: 'npm cometd, bundled now' });

console.log('\n| package | min B | min + gzip -9 B | detail |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.label} | ${r.raw} | ${r.gzip} | ${r.detail} |`);
const anchor = rows[rows.length - 1].gzip;
for (const r of rows.slice(0, -1)) console.log(`${r.label}: ${(r.gzip / anchor).toFixed(2)}× the cometd anchor (gzip)`);
console.log('Anchors of other chat SDKs (performance-anchors.md): purecloud-guest-chat-client 27,779 B gz; @microsoft/ocsdk 46,710; @twilio/conversations 141,318; @microsoft/omnichannel-chat-sdk 341,364.');
