// One agent on the agent console (/www/agent.html) handles two visitors at once: Ann on a
// desktop browser, Bob on a phone-width screen (375×667), each in their own browser context.
// The agent opens both chats into two sessions and switches between them; each visitor sees
// only their own conversation. Bob's chat window fills his screen and fits it. Screenshots of
// the chat window (desktop and phone) and of the console go to docs/screenshots/ (the README
// shows them).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  PHONE, lines, loadWidget, openPanel, say, screenshotPath, signedInConsole, startChat, waitForLine,
  waitForStatus, withWorld,
} from './world.mjs';

const sessionButton = (page, title) => page.locator('.sessions__button', { hasText: title });

async function reply(agentConsole, text) {
  await agentConsole.fill('#reply-input', text);
  await agentConsole.press('#reply-input', 'Enter');
  await agentConsole.waitForSelector(`#transcript li.msg--agent:has-text(${JSON.stringify(text)})`);
}

async function focusSession(agentConsole, title) {
  await sessionButton(agentConsole, title).click();
  if (title === 'Home') {
    await agentConsole.waitForSelector('#home-view:not([hidden])');
    return;
  }
  await agentConsole.waitForFunction((title) => document.getElementById('session-title').textContent === title, title);
}

/** Screenshots without animations, caret or focus ring. */
async function screenshot(page, name) {
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: await screenshotPath(name), animations: 'disabled', caret: 'hide' });
}

test('the agent handles two visitors in two sessions and switches between them; phone layout; screenshots', async () => {
  await withWorld({}, async (world) => {
    const { page: agentConsole } = await signedInConsole(world);

    const { page: ann } = await world.newContext('Ann (desktop)');
    await loadWidget(ann, `${world.server.url}/`);
    await startChat(ann, { name: 'Ann', subject: 'Billing' });

    const { page: bob } = await world.newContext('Bob (phone)', { phone: true });
    await loadWidget(bob, `${world.server.url}/`);
    // On a phone the launcher sits inside the screen; the page does not scroll sideways.
    const launcher = await bob.locator('#chat-launcher').boundingBox();
    assert.ok(launcher.x >= 0 && launcher.x + launcher.width <= PHONE.width && launcher.y + launcher.height <= PHONE.height, JSON.stringify(launcher));
    // Open, the window covers the phone's screen, from the form on.
    await openPanel(bob);
    assert.deepEqual(await bob.locator('#chat').boundingBox(), { x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    await startChat(bob, { name: 'Bob', subject: 'Delivery' });

    // In the conversation too; the launcher steps aside, nothing overflows;
    // the message box is at least 16 px (no zoom on focus) and the send button a fair target.
    assert.deepEqual(await bob.locator('#chat').boundingBox(), { x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    assert.equal(await bob.isVisible('#chat-launcher'), false);
    assert.ok(await bob.evaluate(() => document.documentElement.scrollWidth) <= PHONE.width);
    assert.ok(parseFloat(await bob.$eval('#chat-input', (input) => getComputedStyle(input).fontSize)) >= 16);
    const send = await bob.locator('#chat-compose button[type="submit"]').boundingBox();
    assert.ok(send.width >= 40 && send.height >= 40 && send.x + send.width <= PHONE.width, JSON.stringify(send));
    const input = await bob.locator('#chat-input').boundingBox();
    assert.ok(input.y + input.height <= PHONE.height, JSON.stringify(input));
    // The window covers the screen, so Tab stays in it: from the first control back to the last.
    await bob.focus('#chat-end');
    await bob.keyboard.press('Shift+Tab');
    assert.equal(await bob.evaluate(() => document.activeElement.closest('#chat-compose') !== null && document.activeElement.type), 'submit');
    await bob.keyboard.press('Tab');
    assert.equal(await bob.evaluate(() => document.activeElement.id), 'chat-end');

    // Both wait in the queue; the agent opens Ann's chat, then Bob's: two sessions.
    await agentConsole.waitForSelector('#queue-rows tr:has-text("Ann: Billing")');
    await agentConsole.waitForSelector('#queue-rows tr:has-text("Bob: Delivery")');
    await agentConsole.click('button[aria-label="Open Ann: Billing"]');
    await agentConsole.waitForFunction(() => document.getElementById('session-title').textContent === 'Chat with Ann');
    await waitForStatus(ann, 'Chatting with agent1');
    await reply(agentConsole, 'Hi Ann, thanks for waiting. What seems to be wrong with your bill?');
    await waitForLine(ann, 'agent', 'Hi Ann, thanks for waiting. What seems to be wrong with your bill?');

    await focusSession(agentConsole, 'Home');
    await agentConsole.click('button[aria-label="Open Bob: Delivery"]');
    await agentConsole.waitForFunction(() => document.getElementById('session-title').textContent === 'Chat with Bob');
    assert.deepEqual(await agentConsole.locator('.sessions__title').allTextContents(), ['Home', 'Chat with Ann', 'Chat with Bob']);
    await waitForStatus(bob, 'Chatting with agent1');
    await reply(agentConsole, 'Hi Bob! Let me look up your parcel.');
    await waitForLine(bob, 'agent', 'Hi Bob! Let me look up your parcel.');

    // Ann writes while Bob's session is in front: a badge on hers.
    await say(ann, 'I was charged twice for March.');
    await agentConsole.waitForSelector('.sessions__button:has-text("Chat with Ann") .badge:text("1")');
    assert.equal(await agentConsole.locator('#transcript li:has-text("charged twice")').count(), 0);
    await say(bob, 'It was due yesterday.');
    await agentConsole.waitForSelector('#transcript li.msg--customer:has-text("It was due yesterday.")');
    await reply(agentConsole, 'It left the depot this morning and will be with you by 5 pm today.');
    await waitForLine(bob, 'agent', 'It left the depot this morning and will be with you by 5 pm today.');

    // Switch to Ann: her message is there, the badge gone; answer her.
    await focusSession(agentConsole, 'Chat with Ann');
    await agentConsole.waitForSelector('#transcript li:has-text("I was charged twice for March.")');
    assert.equal(await agentConsole.locator('.sessions__button:has-text("Chat with Ann") .badge').count(), 0);
    assert.equal(await agentConsole.locator('#transcript li:has-text("It was due yesterday.")').count(), 0);
    await reply(agentConsole, 'Sorry about that! I have refunded the second charge. Your corrected bill: https://example.com/bills/2026-03');
    await waitForLine(ann, 'agent', 'Sorry about that! I have refunded the second charge. Your corrected bill: https://example.com/bills/2026-03');
    await say(ann, 'That was quick, thank you!');
    await agentConsole.waitForSelector('#transcript li.msg--customer:has-text("That was quick, thank you!")');

    // Bob answers while Ann's session is in front: his session gets the badge.
    await say(bob, 'Perfect, thanks!');
    await agentConsole.waitForSelector('.sessions__button:has-text("Chat with Bob") .badge:text("1")');

    // Each visitor sees only their own conversation.
    const annTexts = (await lines(ann)).map((line) => line.text).join('\n');
    const bobTexts = (await lines(bob)).map((line) => line.text).join('\n');
    assert.ok(!/Bob|parcel|depot|yesterday/.test(annTexts), annTexts);
    assert.ok(!/Ann|bill|charged/.test(bobTexts), bobTexts);

    // The agent starts typing to Ann: she sees it. Screenshots: Ann's window, Bob's phone,
    // the console (Ann's session in front, Bob's with a badge, a reply being written).
    await agentConsole.fill('#reply-input', 'Is there anything else I can help you with?');
    await ann.waitForFunction(() => document.getElementById('chat-typing').textContent === 'agent1 is typing…');
    await screenshot(ann, 'chat-window.png');
    await screenshot(bob, 'chat-window-phone.png');
    await screenshot(agentConsole, 'agent-console.png');

    // Switch to Bob and end his chat: Bob sees it ended, on his phone.
    await focusSession(agentConsole, 'Chat with Bob');
    await agentConsole.waitForSelector('#transcript li:has-text("Perfect, thanks!")');
    await agentConsole.click('#end-conversation');
    await waitForStatus(bob, 'Chat ended');
    assert.equal((await lines(bob)).at(-1).text, 'The agent ended the chat.');
    assert.equal(await bob.isVisible('#chat-new'), true);
    const ended = await bob.locator('#chat-new').boundingBox();
    assert.ok(ended.y + ended.height <= PHONE.height, JSON.stringify(ended));
    // Ann's chat goes on: back to her session, the draft kept.
    await focusSession(agentConsole, 'Chat with Ann');
    assert.equal(await agentConsole.inputValue('#reply-input'), 'Is there anything else I can help you with?');
    await agentConsole.press('#reply-input', 'Enter');
    await waitForLine(ann, 'agent', 'Is there anything else I can help you with?');
    assert.equal(await ann.textContent('#chat-status'), 'Chatting with agent1');
    // Bob minimises his window on the phone: the launcher is back.
    await bob.click('#chat-close');
    assert.equal(await bob.isVisible('#chat-launcher'), true);

    assert.deepEqual(world.problems(), []);
  });
});
