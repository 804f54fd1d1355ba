// The chat window comes back after a reload or a move to another page within
// maxOfflineDuration, with the transcript as it was, nothing shown twice, and the chat going
// on both ways; with the state in a cookie (the default) and in localStorage
// (data-storage="localStorage"). After maxOfflineDuration away (data-max-offline-duration="2")
// a visitor starts afresh. The agent uses the agent REST API.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  assertNoDuplicates, chatIdOf, lines, loadWidget, reloadWidget, say, sleep, startChat, waitForAgentSees,
  waitForLine, waitForStatus, withWorld,
} from './world.mjs';

/** What a reload must keep: every line's kind, text and index (times too). */
const shape = (all) => all.map(({ kind, who, text, index, time }) => ({ kind, who, text, index, time }));

/** A chat with a few messages both ways; returns the agent client and the chat id. */
async function conversation(world, visitor, name) {
  await startChat(visitor, { name, subject: 'Restore' });
  const agent = await world.agentApi();
  const chatId = await chatIdOf(agent, name);
  await agent.accept(chatId);
  await waitForStatus(visitor, 'Chatting with agent1');
  await agent.send(chatId, 'Hello, how can I help?');
  await waitForLine(visitor, 'agent', 'Hello, how can I help?');
  await say(visitor, 'My parcel is late.');
  await waitForLine(visitor, 'client', 'My parcel is late.');
  await agent.send(chatId, 'Let me check.');
  await waitForLine(visitor, 'agent', 'Let me check.');
  return { agent, chatId };
}

/** After a reload or navigation: the same transcript, nothing twice, and the chat goes on. */
async function assertRestored(visitor, before, { agent, chatId }, round) {
  await waitForStatus(visitor, 'Chatting with agent1');
  const after = await lines(visitor);
  assert.deepEqual(shape(after), shape(before), `round ${round}: the transcript as it was`);
  assertNoDuplicates(after, ['Hello, how can I help?', 'My parcel is late.', 'agent1 joined the chat']);
  // New messages flow both ways, each shown once.
  const fromAgent = `Still here (${round}).`;
  await agent.send(chatId, fromAgent);
  await waitForLine(visitor, 'agent', fromAgent);
  const fromVisitor = `Thanks (${round}).`;
  await say(visitor, fromVisitor);
  await waitForLine(visitor, 'client', fromVisitor);
  await waitForAgentSees(agent, chatId, fromVisitor);
  assertNoDuplicates(await lines(visitor), [fromAgent, fromVisitor]);
}

test('cookie state: reload and navigation restore the chat, nothing twice, messages keep flowing', async () => {
  await withWorld({}, async (world) => {
    const { context, page: visitor } = await world.newContext('visitor');
    await loadWidget(visitor, `${world.server.url}/`);
    const chat = await conversation(world, visitor, 'Carla');
    assert.ok((await context.cookies()).some((c) => c.name === 'gcState'), 'the state is in the gcState cookie');

    // Reload: the panel is open again (it was), the transcript as before.
    let before = await lines(visitor);
    assert.equal(await reloadWidget(visitor), 'session');
    assert.equal(await visitor.isVisible('#chat'), true);
    await assertRestored(visitor, before, chat, 1);

    // What the agent says while the page is gone arrives after it is back, once.
    before = await lines(visitor);
    await visitor.goto('about:blank');
    await chat.agent.send(chat.chatId, 'While you were away.');
    assert.equal(await loadWidget(visitor, `${world.server.url}/tests/e2e/widget.html`), 'session');
    await waitForLine(visitor, 'agent', 'While you were away.');
    const missed = await lines(visitor);
    assert.deepEqual(shape(missed.slice(0, before.length)), shape(before));
    await assertRestored(visitor, missed, chat, 2);

    // A minimised panel stays minimised on the next page; news there counts as unread.
    await visitor.click('#chat-close');
    await visitor.waitForSelector('#chat', { state: 'hidden' });
    before = await lines(visitor);
    assert.equal(await loadWidget(visitor, `${world.server.url}/`), 'session');
    assert.equal(await visitor.isVisible('#chat'), false);
    await chat.agent.send(chat.chatId, 'One more thing.');
    await visitor.waitForFunction(() => document.getElementById('chat-unread').textContent === '1');
    await visitor.click('#chat-launcher');
    await waitForLine(visitor, 'agent', 'One more thing.');
    assert.deepEqual(shape((await lines(visitor)).slice(0, before.length)), shape(before));
    await assertRestored(visitor, await lines(visitor), chat, 3);

    // Once ended, a reload offers a new chat.
    await chat.agent.end(chat.chatId);
    await waitForStatus(visitor, 'Chat ended');
    assert.equal(await reloadWidget(visitor), 'form');
    assert.equal((await lines(visitor)).length, 0);
    assert.deepEqual(world.problems(), []);
  });
});

test('localStorage state (data-storage="localStorage"): reload restores the chat, no cookie', async () => {
  await withWorld({}, async (world) => {
    const { context, page: visitor } = await world.newContext('visitor');
    const url = `${world.server.url}/tests/e2e/widget.html?storage=localStorage`;
    await loadWidget(visitor, url);
    const chat = await conversation(world, visitor, 'Dana');
    assert.ok(await visitor.evaluate(() => localStorage.getItem('hotline.chat.state')), 'the state is in localStorage');
    assert.deepEqual((await context.cookies()).filter((c) => c.name === 'gcState'), []);

    for (const round of [1, 2]) {
      const before = await lines(visitor);
      assert.equal(await reloadWidget(visitor), 'session');
      await assertRestored(visitor, before, chat, round);
    }
    // The visitor ends it: the state is gone, a reload offers a new chat.
    await visitor.click('#chat-end');
    await waitForStatus(visitor, 'Chat ended');
    assert.equal(await visitor.evaluate(() => localStorage.getItem('hotline.chat.state')), null);
    assert.equal(await loadWidget(visitor, url), 'form');
    assert.deepEqual(world.problems(), []);
  });
});

test('after maxOfflineDuration away (data-max-offline-duration="2") the visitor starts afresh', async () => {
  await withWorld({}, async (world) => {
    for (const storage of ['cookie', 'localStorage']) {
      const { page: visitor } = await world.newContext(`visitor (${storage})`);
      const url = `${world.server.url}/tests/e2e/widget.html?storage=${storage}&max-offline-duration=2`;
      await loadWidget(visitor, url);
      const name = `Eve-${storage}`;
      await conversation(world, visitor, name);

      // Open longer than the window: the state stays fresh while the page is there.
      await sleep(3_000);
      const before = await lines(visitor);
      assert.equal(await reloadWidget(visitor), 'session');
      await waitForStatus(visitor, 'Chatting with agent1');
      assert.deepEqual(shape(await lines(visitor)), shape(before));

      // Gone for longer than the window: a new chat, an empty transcript.
      await visitor.goto('about:blank');
      await sleep(3_000);
      assert.equal(await loadWidget(visitor, url), 'form');
      assert.equal((await lines(visitor)).length, 0);
      await visitor.click('#chat-launcher');
      await visitor.waitForSelector('#chat-start', { state: 'visible' });
      assert.equal(await visitor.isVisible('#chat-session'), false);
    }
    assert.deepEqual(world.problems(), []);
  });
});
