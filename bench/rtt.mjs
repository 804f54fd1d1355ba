// Round trips through hotline-server with the official CometD client, measured the way
// performance-anchors.md measures its peers: 100 warm-up then 1,000 messages one at a time;
// RTT = customer publishes → agent's callback → agent replies → customer's callback.
//
// Hotline's agents reply over the agents' REST API (they receive over Bayeux), so the reply
// leg is an HTTP POST, not a Bayeux publish. Customer and agent use separate cookie jars.
//
//   node bench/rtt.mjs            (HOTLINE_SERVER_BIN picks the binary; release is best)

import { performance } from 'node:perf_hooks';

import { AgentClient } from '../tests/support/agent.mjs';
import { createCometD, disconnect, handshake, Inbox, publish, subscribe } from '../tests/support/cometd.mjs';
import { AGENTS, startServer } from '../tests/support/server.mjs';

const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 100);
const MEASURED = Number(process.env.BENCH_MESSAGES ?? 1000);
const CHANNEL = '/service/chatV2/customer-support';

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(server, transport) {
  const customer = createCometD(`${server.url}/cometd`, { transport });
  await handshake(customer);
  const customerInbox = new Inbox();
  await subscribe(customer, CHANNEL, customerInbox.push);
  await publish(customer, CHANNEL, { operation: 'requestChat', nickname: 'Bench', subject: 'RTT' });
  const created = await customerInbox.next((m) => m.data.secureKey);
  const { chatId, secureKey } = created.data;

  const agent = await AgentClient.login(server.url, AGENTS[0].username, AGENTS[0].password);
  await agent.accept(chatId);
  const agentBayeux = createCometD(`${server.url}/cometd`, { transport });
  await handshake(agentBayeux, { ext: { agentToken: agent.token } });
  const agentInbox = new Inbox();
  await subscribe(agentBayeux, `/agent/conversations/${chatId}`, agentInbox.push);

  const has = (inbox, text, party) =>
    inbox.next((m) => (m.data.messages ?? []).some((e) => e.type === 'Message' && e.text === text && e.from.type === party));

  const rtt = [];
  const oneWay = [];
  for (let i = 0; i < WARM_UP + MEASURED; i += 1) {
    const start = performance.now();
    publish(customer, CHANNEL, { operation: 'sendMessage', message: `m${i}`, secureKey });
    await has(agentInbox, `m${i}`, 'Client');
    const arrived = performance.now();
    await agent.send(chatId, `r${i}`);
    await has(customerInbox, `r${i}`, 'Agent');
    const back = performance.now();
    if (i >= WARM_UP) {
      rtt.push(back - start);
      oneWay.push(arrived - start);
    }
    // Keep the inboxes small: what was matched is not needed again.
    customerInbox.messages.length = 0;
    agentInbox.messages.length = 0;
  }
  await disconnect(customer);
  await disconnect(agentBayeux);
  rtt.sort((a, b) => a - b);
  oneWay.sort((a, b) => a - b);
  const fmt = (n) => n.toFixed(2);
  const total = rtt.reduce((a, b) => a + b, 0);
  return {
    transport,
    rttP50: fmt(percentile(rtt, 50)),
    rttP99: fmt(percentile(rtt, 99)),
    oneWayP50: fmt(percentile(oneWay, 50)),
    oneWayP99: fmt(percentile(oneWay, 99)),
    roundTripsPerSecond: Math.round((MEASURED * 1000) / total),
  };
}

const server = await startServer({ args: ['--bayeux-timeout-ms', '25000'] });
try {
  const rows = [];
  for (const transport of ['long-polling', 'websocket']) rows.push(await run(server, transport));
  console.log(`\nBayeux round trips through hotline-server (${MEASURED} messages after ${WARM_UP} warm-up)`);
  console.log('| client ↔ server | RTT p50 ms | RTT p99 ms | one-way p50 / p99 ms | round trips/s |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| CometD client ↔ hotline-server, ${r.transport} | ${r.rttP50} | ${r.rttP99} | ${r.oneWayP50} / ${r.oneWayP99} | ${r.roundTripsPerSecond} |`);
  }
  console.log('\nAnchors (performance-anchors.md, other machine): CometD client ↔ cometd-nodejs-server LP 1.67 / 7.73 ms; CometD client ↔ Faye WS 0.33 / 3.76 ms.');
} finally {
  await server.stop();
}
