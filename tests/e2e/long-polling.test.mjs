// The chat window with long-polling only (data-disable-web-sockets), embedded in a page of
// another origin than the server's (the script tag and data-server-url point at the server),
// on another service (data-service) and with its own title (data-title): the same
// conversation works, typing both ways, a message racing the agent's lands in the server's
// order, a reload restores it, the banner says when the connection is lost and when it is
// back (a message written meanwhile goes out then), and the agent ends it. No WebSocket is
// ever opened.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  assertNoDuplicates, chatIdOf, lines, loadWidget, reloadWidget, say, startChat, waitForAgentSees,
  waitForLine, waitForStatus, withWorld,
} from './world.mjs';

const BANNER = (page) => page.evaluate(() => {
  const banner = document.getElementById('chat-banner');
  return banner.hidden ? null : banner.textContent;
});

test('long-polling only: conversation, typing, restore, interrupted and continued, ended', async () => {
  // Short long-polls, so that taking the network away is noticed soon.
  const args = ['--service', 'customer-support', '--service', 'sales', '--bayeux-timeout-ms', '4000'];
  await withWorld({ args }, async (world) => {
    const { context, page: visitor } = await world.newContext('visitor (long-polling)');
    const websockets = [];
    visitor.on('websocket', (ws) => websockets.push(ws.url()));
    const cometd = [];
    visitor.on('request', (request) => { if (request.url().includes('/cometd')) cometd.push(request.url()); });

    // The page is on http://localhost:PORT; the chat window's script (with its stylesheet
    // and the SDK) and the server are on http://127.0.0.1:PORT, as when a site embeds it.
    const server = new URL(world.server.url);
    const script = `${world.server.url}/www/chat-window.js`;
    const page = `http://localhost:${server.port}/tests/e2e/widget.html?script=${encodeURIComponent(script)}`
      + `&disable-web-sockets=true&service=sales&title=Sales&server-url=${encodeURIComponent(world.server.url)}`;
    assert.equal(await loadWidget(visitor, page), 'form');
    assert.equal(await visitor.textContent('#chat-title'), 'Sales');
    assert.equal(await visitor.$eval('#chat-launcher', (b) => getComputedStyle(b).position), 'relative', 'styled');
    await startChat(visitor, { name: 'Frank', subject: 'Long polls' });

    const agent = await world.agentApi();
    const chatId = await chatIdOf(agent, 'Frank');
    const [record] = (await agent.list('all')).filter((c) => c.chatId === chatId);
    assert.equal(record.service, 'sales');
    await agent.accept(chatId);
    await waitForStatus(visitor, 'Chatting with agent1');
    await waitForLine(visitor, 'system', 'agent1 joined the chat');

    // Typing and messages both ways.
    await agent.typing(chatId, true);
    await visitor.waitForFunction(() => document.getElementById('chat-typing').textContent === 'agent1 is typing…');
    await agent.send(chatId, 'Hi Frank, over long-polling.');
    await waitForLine(visitor, 'agent', 'Hi Frank, over long-polling.');
    await visitor.waitForFunction(() => document.getElementById('chat-typing').textContent === '');
    await visitor.locator('#chat-input').pressSequentially('Hello');
    await waitForAgentSees(agent, chatId, (m) => m.type === 'TypingStarted' && m.from.type === 'Client');
    await say(visitor, 'Hello from a long-poll, see https://example.org/order/7');
    const mine = await waitForLine(visitor, 'client', 'Hello from a long-poll, see https://example.org/order/7');
    assert.equal(mine.links[0].href, 'https://example.org/order/7');
    await waitForAgentSees(agent, chatId, 'Hello from a long-poll, see https://example.org/order/7');

    // A message on its way while the agent writes: the agent's arrives first and the server
    // puts it first; once the visitor's is through, the window shows them in the server's order.
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await visitor.route('**/cometd**', async (route) => {
      if ((route.request().postData() || '').includes('Racing the agent.')) await gate;
      await route.fallback();
    });
    await say(visitor, 'Racing the agent.');
    await visitor.waitForSelector('#chat-transcript li[data-state="pending"]:has-text("Racing the agent.")');
    await agent.send(chatId, 'Agent first.');
    await waitForLine(visitor, 'agent', 'Agent first.');
    release();
    await waitForLine(visitor, 'client', 'Racing the agent.');
    const raced = (await lines(visitor)).slice(-2);
    assert.deepEqual(raced.map((line) => line.text), ['Agent first.', 'Racing the agent.']);
    assert.ok(raced[0].index < raced[1].index, JSON.stringify(raced));
    await visitor.unroute('**/cometd**');

    // A reload restores it over long-polling too.
    const before = await lines(visitor);
    assert.equal(await reloadWidget(visitor), 'session');
    await waitForStatus(visitor, 'Chatting with agent1');
    assert.deepEqual(await lines(visitor), before);
    await agent.send(chatId, 'Welcome back.');
    await waitForLine(visitor, 'agent', 'Welcome back.');

    // The network goes away: the banner says so; it comes back: the banner says that, and
    // the chat goes on.
    await world.quietly(async () => {
      await context.setOffline(true);
      await visitor.waitForFunction(() => document.getElementById('chat-banner').textContent.startsWith('Connection lost'), null, { timeout: 30_000 });
      assert.equal(await BANNER(visitor), 'Connection lost. Trying to reconnect…');
      assert.equal(await visitor.getAttribute('#chat-banner', 'data-tone'), 'warning');
      // Written while offline: shown as being sent, and sent once the connection is back.
      await say(visitor, 'Sent while offline.');
      await visitor.waitForSelector('#chat-transcript li[data-state="pending"]:has-text("Sent while offline.")');
      await context.setOffline(false);
      await visitor.waitForFunction(() => document.getElementById('chat-banner').textContent === 'Connected again.', null, { timeout: 60_000 });
    });
    await waitForLine(visitor, 'client', 'Sent while offline.', 60_000);
    await waitForAgentSees(agent, chatId, 'Sent while offline.');
    await agent.send(chatId, 'Still with me?');
    await waitForLine(visitor, 'agent', 'Still with me?');
    await say(visitor, 'Yes, back online.');
    await waitForAgentSees(agent, chatId, 'Yes, back online.');
    // The "connected again" banner goes by itself.
    await visitor.waitForSelector('#chat-banner', { state: 'hidden', timeout: 15_000 });

    // The agent ends it.
    await agent.end(chatId);
    await waitForStatus(visitor, 'Chat ended');
    const all = await lines(visitor);
    assert.equal(all.at(-1).text, 'The agent ended the chat.');
    assertNoDuplicates(all, ['Hi Frank, over long-polling.', 'Agent first.', 'Racing the agent.', 'Welcome back.', 'Sent while offline.', 'Still with me?', 'Yes, back online.']);
    assert.equal(await visitor.isVisible('#chat-new'), true);

    assert.deepEqual(websockets, [], 'no WebSocket');
    assert.ok(cometd.length > 0 && cometd.every((url) => url.startsWith(`${world.server.url}/cometd`)), JSON.stringify(cometd.slice(0, 3)));
    assert.deepEqual(world.problems(), []);
  });
});
