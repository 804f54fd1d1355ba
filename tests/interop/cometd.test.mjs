// Interop: the official CometD JavaScript client (npm `cometd`, run in Node through
// `cometd-nodejs-client`) drives a whole GMS chat v2 conversation against hotline-server:
// the customer over Bayeux (/service/chatV2/customer-support), the agent over the REST API
// plus its own Bayeux client (/agent/conversations/{chatId}).
//
// The scenario runs once per Bayeux transport: long-polling, then WebSocket (the Node adapter
// provides WebSocket through the `ws` package). Each party has its own client and cookie jar.
// The clients keep CometD's defaults, as a real page would: with `appendMessageTypeToURL`
// the long-polling transport POSTs to /cometd/handshake, /cometd/connect, /cometd/disconnect
// and every other batch (subscribe, publish) to /cometd/ with a trailing slash.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AgentClient } from '../support/agent.mjs';
import { Inbox, createCometD, disconnect, handshake, publish, subscribe } from '../support/cometd.mjs';
import { AGENTS, withServer } from '../support/server.mjs';

const SERVICE_CHANNEL = '/service/chatV2/customer-support';

/** The events of a GMS envelope or an agent conversation update (`data.messages`). */
const events = (message) => (Array.isArray(message?.data?.messages) ? message.data.messages : []);

/** The transcript array, whatever the name of the field that holds it. */
function transcriptItems(body) {
  if (Array.isArray(body)) return body;
  const list = Object.values(body ?? {}).find(Array.isArray);
  assert.ok(list, `transcript has no array of events: ${JSON.stringify(body)}`);
  return list;
}

function isIsoTime(value) {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

async function wholeChat(transport) {
  await withServer(async (server) => {
    const bayeuxUrl = `${server.url}/cometd`;
    const customer = createCometD(bayeuxUrl, { transport, name: 'customer' });
    let agentBayeux;
    try {
      // --- customer: handshake, subscribe, requestChat -------------------------------------
      await handshake(customer);
      assert.equal(customer.getTransport().type, transport, 'customer negotiated the transport under test');
      const customerInbox = new Inbox();
      await subscribe(customer, SERVICE_CHANNEL, customerInbox.push);

      await publish(customer, SERVICE_CHANNEL, { operation: 'requestChat', nickname: 'Ann', subject: 'Billing' });
      const started = await customerInbox.next(
        (m) => m.channel === SERVICE_CHANNEL && typeof m.data?.chatId === 'string',
        10_000,
        'the requestChat envelope',
      );
      const envelope = started.data;
      assert.equal(envelope.statusCode, 0);
      assert.equal(envelope.chatEnded, false);
      assert.equal(typeof envelope.secureKey, 'string');
      assert.ok(envelope.secureKey.length > 0, 'secureKey is not empty');
      assert.ok(envelope.userId !== undefined && envelope.userId !== null, 'envelope has a userId');
      assert.ok(envelope.alias !== undefined && envelope.alias !== null, 'envelope has an alias');
      assert.equal(envelope.nextPosition, 2);
      assert.equal(envelope.messages.length, 1);
      const [joined] = envelope.messages;
      assert.equal(joined.type, 'ParticipantJoined');
      assert.equal(joined.index, 1);
      assert.deepEqual(
        { nickname: joined.from?.nickname, participantId: joined.from?.participantId, type: joined.from?.type },
        { nickname: 'Ann', participantId: 1, type: 'Client' },
      );
      assert.ok(isIsoTime(joined.utcTime) || typeof joined.utcTime === 'number', `utcTime: ${joined.utcTime}`);
      const { chatId, secureKey } = envelope;

      await publish(customer, SERVICE_CHANNEL, { operation: 'sendMessage', message: 'Hello', secureKey });

      // --- agent: REST login, queue, accept ----------------------------------------------------
      const agent = await AgentClient.login(server.url, AGENTS[0].username, AGENTS[0].password);
      assert.equal(typeof agent.token, 'string');
      const queue = await agent.list('queue');
      const queued = queue.find((c) => c.chatId === chatId);
      assert.ok(queued, `chat ${chatId} is in the queue: ${JSON.stringify(queue)}`);
      assert.equal(queued.status, 'queued');
      assert.equal(queued.nickname, 'Ann');
      assert.equal(queued.subject, 'Billing');
      assert.equal(queued.service, 'customer-support');

      await agent.accept(chatId);
      const mine = await agent.list('mine');
      assert.equal(mine.find((c) => c.chatId === chatId)?.status, 'active', 'accepted chat is active and mine');

      const transcript = transcriptItems(await agent.transcript(chatId, 1));
      const hello = transcript.find((e) => e.type === 'Message' && e.text === 'Hello');
      assert.ok(hello, `the customer's Hello is in the transcript: ${JSON.stringify(transcript)}`);
      assert.equal(hello.from?.type, 'Client');

      // --- agent: its own Bayeux client ------------------------------------------------------
      agentBayeux = createCometD(bayeuxUrl, { transport, name: 'agent' });
      await handshake(agentBayeux, { ext: { agentToken: agent.token } });
      assert.equal(agentBayeux.getTransport().type, transport, 'agent negotiated the transport under test');
      const agentInbox = new Inbox();
      const conversationChannel = `/agent/conversations/${chatId}`;
      await subscribe(agentBayeux, conversationChannel, agentInbox.push);

      // A customer message sent after the agent subscribed reaches the agent live.
      await publish(customer, SERVICE_CHANNEL, { operation: 'sendMessage', message: 'Anyone there?', secureKey });
      const update = await agentInbox.next(
        (m) => events(m).some((e) => e.type === 'Message' && e.text === 'Anyone there?'),
        10_000,
        "the customer's message on the agent's channel",
      );
      assert.equal(update.channel, conversationChannel);
      assert.equal(update.data.chatId, chatId);
      assert.equal(update.data.chatEnded, false);
      assert.equal(typeof update.data.status, 'string');
      const live = events(update).find((e) => e.text === 'Anyone there?');
      assert.equal(live.from?.type, 'Client');
      assert.ok(live.index > hello.index, 'indexes grow');

      // --- agent replies over REST; the customer gets it -------------------------------------
      const reply = 'Hi Ann, how can I help with billing?';
      const { index: replyIndex } = await agent.send(chatId, reply);
      assert.equal(typeof replyIndex, 'number');
      const delivered = await customerInbox.next(
        (m) => events(m).some((e) => e.type === 'Message' && e.text === reply),
        10_000,
        "the agent's reply on the customer's channel",
      );
      const fromAgent = events(delivered).find((e) => e.type === 'Message' && e.text === reply);
      assert.equal(fromAgent.from?.type, 'Agent');
      assert.equal(fromAgent.index, replyIndex);
      assert.equal(delivered.data.chatEnded, false);

      // Every index the customer saw is unique (the transcript never repeats one).
      const seen = customerInbox.messages.flatMap(events).map((e) => e.index);
      assert.equal(new Set(seen).size, seen.length, `no index delivered twice: ${seen}`);

      // --- customer ends the chat -----------------------------------------------------------
      await publish(customer, SERVICE_CHANNEL, { operation: 'disconnect', secureKey });
      const ended = await customerInbox.next((m) => m.data?.chatEnded === true, 10_000, 'the chatEnded envelope');
      assert.equal(ended.data.chatId ?? chatId, chatId);
      assert.equal(ended.data.statusCode ?? 0, 0);

      await agentInbox.next((m) => m.data?.chatEnded === true, 10_000, 'chatEnded on the agent channel');
    } finally {
      await disconnect(customer);
      if (agentBayeux) await disconnect(agentBayeux);
    }
  });
}

test('a whole chat with the CometD client over long-polling', { timeout: 60_000 }, () => wholeChat('long-polling'));

test('a whole chat with the CometD client over WebSocket', { timeout: 60_000 }, () => wholeChat('websocket'));
