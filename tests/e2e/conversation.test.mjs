// The chat window end to end: a visitor on the demo page (index.html) and an agent on the
// agent console (/www/agent.html), each in their own browser context, talk both ways through
// hotline-server. The visitor uses only the keyboard; the window shows who says what and
// when, the agent's name when they join, typing both ways, links (and only safe ones), never
// HTML from the network, a banner while the connection is lost and when it is back, an
// unread count while the panel is closed; the agent ends the chat
// and the visitor sees it ended, then starts a new one and ends that one.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  assertNoDuplicates, chatIdOf, lines, loadWidget, say, signedInConsole, waitForLine,
  waitForStatus, withWorld,
} from './world.mjs';

const activeId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);

test('a whole conversation both ways: typing, names, times, links, unread count, agent ends, new chat', async () => {
  // Short long-polls, so that a lost connection is noticed soon.
  await withWorld({ args: ['--bayeux-timeout-ms', '3000'] }, async (world) => {
    const { context: visitorContext, page: visitor } = await world.newContext('visitor');
    assert.equal(await loadWidget(visitor, `${world.server.url}/`), 'form');

    // Closed at first: only the launcher. The panel is a labelled region; the transcript is
    // a polite live log.
    assert.equal(await visitor.isVisible('#chat-launcher'), true);
    assert.equal(await visitor.isVisible('#chat'), false);
    assert.equal(await visitor.getAttribute('#chat-launcher', 'aria-expanded'), 'false');
    assert.equal(await visitor.getAttribute('#chat-launcher', 'aria-controls'), 'chat');
    assert.equal(await visitor.getAttribute('#chat-transcript', 'aria-live'), 'polite');
    assert.equal(await visitor.getAttribute('#chat-transcript', 'role'), 'log');

    // Keyboard only: open with Enter on the launcher (focus goes to the name), Tab to the
    // subject, Enter starts the chat (focus goes to the message box).
    await visitor.focus('#chat-launcher');
    await visitor.keyboard.press('Enter');
    await visitor.waitForSelector('#chat', { state: 'visible' });
    assert.equal(await visitor.getAttribute('#chat-launcher', 'aria-expanded'), 'true');
    assert.equal(await activeId(visitor), 'chat-name');
    // The name is required: Enter on an empty form starts nothing.
    await visitor.keyboard.press('Enter');
    assert.equal(await visitor.isVisible('#chat-start'), true);
    await visitor.keyboard.type('Ann');
    await visitor.keyboard.press('Tab');
    assert.equal(await activeId(visitor), 'chat-subject');
    await visitor.keyboard.type('Billing');
    await visitor.keyboard.press('Enter');
    await waitForStatus(visitor, 'Waiting for an agent…');
    assert.equal(await activeId(visitor), 'chat-input');
    assert.equal(await visitor.isVisible('#chat-end'), true);
    const first = await waitForLine(visitor, 'system', 'Chat started');
    assert.ok(first.time && !Number.isNaN(Date.parse(first.time)), 'a timestamp');

    // The agent signs in on the console and opens Ann's chat from the queue.
    const { page: agentConsole } = await signedInConsole(world);
    await agentConsole.click('button[aria-label="Open Ann: Billing"]');
    await agentConsole.waitForFunction(() => document.getElementById('session-title').textContent === 'Chat with Ann');

    // The visitor sees the agent join, by name, in the header and the transcript.
    await waitForStatus(visitor, 'Chatting with agent1');
    await waitForLine(visitor, 'system', 'agent1 joined the chat');
    assert.equal(await visitor.textContent('#chat-avatar'), 'A');

    // The agent types: the visitor sees it; the reply arrives with the agent's name and a
    // time, and the typing line goes.
    await agentConsole.fill('#reply-input', 'Hello Ann, I am looking at your bill.');
    await visitor.waitForFunction(() => document.getElementById('chat-typing').textContent === 'agent1 is typing…');
    await agentConsole.press('#reply-input', 'Enter');
    const hello = await waitForLine(visitor, 'agent', 'Hello Ann, I am looking at your bill.');
    assert.equal(hello.who, 'agent1');
    assert.match(hello.timeText, /\d/);
    assert.ok(!Number.isNaN(Date.parse(hello.time)));
    await visitor.waitForFunction(() => document.getElementById('chat-typing').textContent === '');

    // The visitor types (the agent sees it) and sends with Enter; markup stays text, both sides.
    const markup = 'Thanks! <b>not bold</b> <img src=x onerror="window.pwned=1">';
    await visitor.keyboard.type('Thanks!');
    await agentConsole.waitForFunction(() => document.getElementById('typing').textContent === 'Ann is typing…');
    await visitor.fill('#chat-input', markup);
    await visitor.keyboard.press('Enter');
    assert.equal(await visitor.inputValue('#chat-input'), '');
    const mine = await waitForLine(visitor, 'client', markup);
    assert.equal(mine.who, 'You');
    await agentConsole.waitForSelector(`#transcript li.msg--customer:has-text("not bold")`);
    await agentConsole.waitForFunction(() => document.getElementById('typing').textContent === '');
    // Shift+Enter is a new line, not a send.
    await visitor.keyboard.type('Line one');
    await visitor.keyboard.press('Shift+Enter');
    await visitor.keyboard.type('line two');
    assert.equal(await visitor.inputValue('#chat-input'), 'Line one\nline two');
    await visitor.keyboard.press('Enter');
    await waitForLine(visitor, 'client', 'Line one\nline two');
    await agentConsole.waitForSelector('#transcript li.msg--customer:has-text("line two")');

    // Links: http(s) URLs become links that open a new tab without an opener; a URL message of
    // another scheme stays text. Sent through the agent API (as URL messages too).
    const api = await world.agentApi();
    const chatId = await chatIdOf(api, 'Ann');
    await agentConsole.fill('#reply-input', 'Your bill is at https://example.com/bills/42, see page 2.');
    await agentConsole.press('#reply-input', 'Enter');
    await api.request('POST', `/api/v1/conversations/${chatId}/messages`, { text: 'https://example.com/help?topic=billing', messageType: 'url' });
    await api.request('POST', `/api/v1/conversations/${chatId}/messages`, { text: 'javascript:window.pwned=1', messageType: 'url' });
    await api.send(chatId, '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>');
    const inText = await waitForLine(visitor, 'agent', 'Your bill is at https://example.com/bills/42, see page 2.');
    assert.deepEqual(inText.links, [{ href: 'https://example.com/bills/42', text: 'https://example.com/bills/42', rel: 'noopener noreferrer', target: '_blank' }]);
    const urlMessage = await waitForLine(visitor, 'agent', 'https://example.com/help?topic=billing');
    assert.deepEqual(urlMessage.links, [{ href: 'https://example.com/help?topic=billing', text: 'https://example.com/help?topic=billing', rel: 'noopener noreferrer', target: '_blank' }]);
    const scriptUrl = await waitForLine(visitor, 'agent', 'javascript:window.pwned=1');
    assert.deepEqual(scriptUrl.links, []);
    await waitForLine(visitor, 'agent', '<img src=x onerror="window.pwned=1"><script>window.pwned=1</script>');
    assert.equal(await visitor.locator('#chat-transcript img, #chat-transcript script, #chat-transcript b').count(), 0);
    assert.equal(await visitor.evaluate(() => window.pwned), undefined);

    // The connection drops (the browser goes offline): a banner says so; it is back: the
    // banner says that, then goes.
    await world.quietly(async () => {
      await visitorContext.setOffline(true);
      await visitor.waitForFunction(() => document.getElementById('chat-banner').textContent === 'Connection lost. Trying to reconnect…', null, { timeout: 60_000 });
      assert.equal(await visitor.getAttribute('#chat-banner', 'role'), 'status');
      await visitorContext.setOffline(false);
      await visitor.waitForFunction(() => document.getElementById('chat-banner').textContent === 'Connected again.', null, { timeout: 60_000 });
    });
    await visitor.waitForSelector('#chat-banner', { state: 'hidden', timeout: 15_000 });
    await api.send(chatId, 'Back online?');
    await waitForLine(visitor, 'agent', 'Back online?');

    // Escape closes the panel (focus back on the launcher); what the agent writes meanwhile
    // is counted on the launcher; Enter opens it again and the count goes.
    await visitor.focus('#chat-input');
    await visitor.keyboard.press('Escape');
    await visitor.waitForSelector('#chat', { state: 'hidden' });
    assert.equal(await activeId(visitor), 'chat-launcher');
    await api.send(chatId, 'Are you still there?');
    await api.send(chatId, 'I have fixed the bill.');
    await visitor.waitForFunction(() => document.getElementById('chat-unread').textContent === '2');
    assert.equal(await visitor.isVisible('#chat-unread'), true);
    assert.equal(await visitor.getAttribute('#chat-launcher', 'aria-label'), 'Open chat, 2 unread messages');
    await visitor.keyboard.press('Enter');
    await visitor.waitForSelector('#chat', { state: 'visible' });
    assert.equal(await visitor.isVisible('#chat-unread'), false);
    assert.equal(await visitor.getAttribute('#chat-launcher', 'aria-label'), 'Minimize chat');
    assert.equal(await activeId(visitor), 'chat-input');
    await waitForLine(visitor, 'agent', 'I have fixed the bill.');

    // The agent ends the conversation: the visitor sees the ended state.
    await agentConsole.click('#end-conversation');
    await waitForStatus(visitor, 'Chat ended');
    const all = await lines(visitor);
    assert.deepEqual(all.at(-1).text, 'The agent ended the chat.');
    assert.equal(all.at(-1).kind, 'system');
    assert.equal(await visitor.isVisible('#chat-compose'), false);
    assert.equal(await visitor.isVisible('#chat-end'), false);
    assert.equal(await visitor.isVisible('#chat-new'), true);
    assert.equal(await visitor.getAttribute('#hotline-chat', 'data-view'), 'ended');
    assertNoDuplicates(all, ['Hello Ann, I am looking at your bill.', markup, 'I have fixed the bill.', 'agent1 joined the chat']);
    // Every line has a time; the three kinds are all there and the visitor's are "You".
    assert.ok(all.every((line) => line.time), JSON.stringify(all));
    assert.deepEqual([...new Set(all.map((line) => line.kind))].sort(), ['agent', 'client', 'system']);
    assert.ok(all.filter((line) => line.kind === 'client').every((line) => line.who === 'You'));
    // Different kinds look different.
    const looks = await visitor.$$eval('#chat-transcript > li', (items) => Object.fromEntries(items.map((li) => {
      const body = getComputedStyle(li.querySelector('.msg__body'));
      return [li.className, `${body.backgroundColor}|${getComputedStyle(li).alignSelf}`];
    })));
    assert.equal(new Set(Object.values(looks)).size, 3, JSON.stringify(looks));

    // A new chat: the form again, the name kept; the transcript starts empty.
    await visitor.click('#chat-new');
    await visitor.waitForSelector('#chat-start', { state: 'visible' });
    assert.equal(await visitor.inputValue('#chat-name'), 'Ann');
    assert.equal(await activeId(visitor), 'chat-subject');
    await visitor.fill('#chat-subject', 'Another question');
    await visitor.keyboard.press('Enter');
    await waitForStatus(visitor, 'Waiting for an agent…');
    await waitForLine(visitor, 'system', 'Chat started');
    assert.equal((await lines(visitor)).length, 1);
    await agentConsole.click('#close-session');
    await agentConsole.waitForSelector('#queue-rows tr:has-text("Ann: Another question")');

    // The visitor ends this one.
    await visitor.click('#chat-end');
    await waitForStatus(visitor, 'Chat ended');
    assert.equal((await lines(visitor)).at(-1).text, 'You ended the chat.');
    assert.equal(await activeId(visitor), 'chat-new');
    await agentConsole.waitForFunction(() => !document.getElementById('queue-rows').textContent.includes('Another question'));

    assert.deepEqual(world.problems(), []);
  });
});
