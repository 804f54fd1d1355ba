// The agent console (www/agent.html) driven through its UI: sign in with the form, see the
// queue, open two customers' chats into two sessions, switch between them (the unread badge),
// reply, use the tabs, take a send-box suggestion, link a record, end the chat, close the
// session. Customers are on the demo page (index.html), each in its own browser context.
// A screenshot goes to tests/output/agent-console.png.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { outputPath, withWorld } from './harness.mjs';
import { AGENTS } from '../support/server.mjs';

async function startCustomerChat(world, username, subject) {
  const page = await world.newPage('/index.html', `customer ${username}`);
  await page.click('#chat-launcher');
  await page.fill('#chat-start input[name="username"]', username);
  await page.fill('#chat-start input[name="subject"]', subject);
  await page.click('#chat-start button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('chat-status').textContent === 'Waiting for an agent…');
  return page;
}

const sessionButton = (console, title) => console.locator('.sessions__button', { hasText: title });

test('the agent console: sign in, queue, two sessions, reply, link, end, wrap-up', async () => {
  await withWorld({}, async (world) => {
    const ann = await startCustomerChat(world, 'Ann', 'Billing');

    // Sign in through the form; the server field defaults to the page's origin.
    const console = await world.newPage('/www/agent.html', 'console');
    assert.equal(await console.inputValue('#sign-in-server'), world.server.url);
    await console.fill('#sign-in-username', AGENTS[0].username);
    await console.fill('#sign-in-password', 'wrong');
    await console.press('#sign-in-password', 'Enter');
    await console.waitForFunction(() => document.getElementById('sign-in-error').textContent.includes('401'));
    assert.match(await console.textContent('#sign-in-error'), /^Could not sign in: The server answered 401/);
    await console.fill('#sign-in-password', AGENTS[0].password);
    await console.click('#sign-in button[type="submit"]');
    await console.waitForSelector('#workspace:not([hidden])');
    assert.equal(await console.textContent('#agent-name'), 'Signed in as agent1');
    assert.equal(await console.isHidden('#sign-in'), true);

    // The queue shows Ann (already waiting) and, live, Bob who comes after sign-in.
    await console.waitForSelector('#queue-rows tr:has-text("Ann: Billing")');
    const bob = await startCustomerChat(world, 'Bob', 'Delivery');
    await console.waitForSelector('#queue-rows tr:has-text("Bob: Delivery")');
    assert.equal(await console.textContent('#queue-count'), '(2)');
    await console.screenshot({ path: await outputPath('agent-console-queue.png') });
    assert.deepEqual(await console.locator('.sessions__title').allTextContents(), ['Home']);

    // Open Ann's chat from the queue: a focused session with its tabs; she is connected.
    await console.click('button[aria-label="Open Ann: Billing"]');
    await sessionButton(console, 'Chat with Ann').waitFor();
    await console.waitForSelector('#session-view:not([hidden])');
    assert.equal(await console.textContent('#session-title'), 'Chat with Ann');
    assert.deepEqual(await console.locator('#tab-list [role="tab"]').allTextContents(), ['Conversation', 'Search: Ann']);
    assert.equal(await console.getAttribute('#tab-list [role="tab"] >> nth=0', 'aria-selected'), 'true');
    assert.equal(await sessionButton(console, 'Chat with Ann').getAttribute('aria-current'), 'true');
    await ann.waitForFunction(() => document.getElementById('chat-status').textContent === 'Chatting with agent1');
    await console.waitForSelector('#transcript li:has-text("agent1 joined the chat")');

    // Reply with the keyboard (Ann sees the agent typing, then the reply). Ann answers.
    await console.fill('#reply-input', 'Hello Ann, I am looking at your bill.');
    await ann.waitForFunction(() => document.getElementById('chat-typing').textContent === 'agent1 is typing…');
    await console.press('#reply-input', 'Enter');
    await ann.waitForFunction(() => document.getElementById('chat-transcript').textContent.includes('I am looking at your bill.'));
    await console.waitForSelector('#transcript li.msg--agent:has-text("I am looking at your bill.")');
    assert.equal(await console.inputValue('#reply-input'), '');
    await ann.fill('#chat-input', 'Thanks! <b>not bold</b>');
    await console.waitForFunction(() => document.getElementById('typing').textContent === 'Ann is typing…');
    await ann.press('#chat-input', 'Enter');
    await console.waitForSelector('#transcript li.msg--customer:has-text("Thanks! <b>not bold</b>")');
    assert.equal(await console.locator('#transcript b').count(), 0, 'network text is never HTML');

    // Back Home, open Bob's chat: a second session, in front.
    await sessionButton(console, 'Home').click();
    await console.waitForSelector('#home-view:not([hidden])');
    assert.equal(await console.textContent('#queue-count'), '(1)');
    await console.waitForSelector('#mine-rows tr:has-text("Ann: Billing")');
    await console.click('button[aria-label="Open Bob: Delivery"]');
    await sessionButton(console, 'Chat with Bob').waitFor();
    await console.waitForFunction(() => document.getElementById('session-title').textContent === 'Chat with Bob');
    assert.deepEqual(await console.locator('.sessions__title').allTextContents(), ['Home', 'Chat with Ann', 'Chat with Bob']);
    assert.equal(await console.textContent('#session-count'), '2 of 10 sessions');
    await bob.waitForFunction(() => document.getElementById('chat-status').textContent === 'Chatting with agent1');
    await console.fill('#reply-input', 'Hi Bob!');
    await console.click('#reply button[type="submit"]');
    await bob.waitForFunction(() => document.getElementById('chat-transcript').textContent.includes('Hi Bob!'));

    // Ann writes while Bob's session is in front: an unread badge on hers, counting up.
    await ann.fill('#chat-input', 'Hello?');
    await ann.press('#chat-input', 'Enter');
    await console.waitForSelector('.sessions__button:has-text("Chat with Ann") .badge:text("1")');
    assert.equal(await sessionButton(console, 'Chat with Ann').getAttribute('aria-label'), 'Chat with Ann (1 new message)');
    await ann.fill('#chat-input', 'Are you still there?');
    await ann.press('#chat-input', 'Enter');
    await console.waitForSelector('.sessions__button:has-text("Chat with Ann") .badge:text("2")');
    assert.equal(await sessionButton(console, 'Chat with Ann').getAttribute('aria-label'), 'Chat with Ann (2 new messages)');
    assert.equal(await console.locator('#transcript li:has-text("Are you still there?")').count(), 0);
    await console.screenshot({ path: await outputPath('agent-console-unread.png') });
    // A draft for Bob stays with Bob's session.
    await console.fill('#reply-input', 'Draft for Bob');

    // Switch to Ann with the keyboard: the badge goes, her message is there.
    await sessionButton(console, 'Chat with Bob').focus();
    await console.keyboard.press('ArrowUp');
    await console.keyboard.press('Enter');
    await console.waitForFunction(() => document.getElementById('session-title').textContent === 'Chat with Ann');
    await console.waitForSelector('#transcript li:has-text("Are you still there?")');
    assert.equal(await console.locator('.sessions__button:has-text("Chat with Ann") .badge').count(), 0);
    assert.equal(await console.inputValue('#reply-input'), '');

    // The search tab: shown with the arrow keys, then closed; the anchor tab has no close.
    await console.focus('#tab-list [role="tab"] >> nth=0');
    await console.keyboard.press('ArrowRight');
    await console.waitForSelector('#page-view:not([hidden])');
    assert.equal(await console.textContent('#page-title'), 'Search: Ann');
    assert.match(await console.textContent('#page-params'), /searchTextAnn/);
    assert.equal(await console.locator('button[aria-label^="Close tab Conversation"]').count(), 0);
    await console.click('button[aria-label="Close tab Search: Ann"]');
    await console.waitForSelector('#conversation-view:not([hidden])');
    assert.deepEqual(await console.locator('#tab-list [role="tab"]').allTextContents(), ['Conversation']);

    // A suggestion through the send box (sendMessageToConversation's default) fills the reply.
    await console.evaluate(async () => {
      const { Microsoft } = await import('/pkg/hotline.js');
      await Microsoft.Omnichannel.sendMessageToConversation('Your refund is on its way.');
    });
    await console.waitForFunction(() => document.getElementById('reply-input').value === 'Your refund is on its way.');
    assert.equal(await ann.evaluate(() => document.getElementById('chat-transcript').textContent.includes('refund is on its way')), false);
    await console.press('#reply-input', 'Enter');
    await ann.waitForFunction(() => document.getElementById('chat-transcript').textContent.includes('Your refund is on its way.'));

    // Link a contact.
    await console.selectOption('#link-entity', 'contact');
    await console.fill('#link-record', 'C-1001');
    await console.click('#link-form button[type="submit"]');
    await console.waitForFunction(() => document.getElementById('links').textContent.includes('Contact C-1001'));

    await console.screenshot({ path: await outputPath('agent-console.png') });

    // End Ann's chat: she sees it ended; the session says so; then close the session.
    await console.click('#end-conversation');
    await ann.waitForFunction(() => document.getElementById('chat-status').textContent === 'Chat ended');
    assert.ok((await ann.textContent('#chat-transcript')).includes('The agent ended the chat.'));
    await console.waitForFunction(() => document.getElementById('conversation-status').textContent === 'You ended the conversation.');
    assert.equal(await console.isDisabled('#reply-input'), true);
    await console.waitForSelector('.sessions__button:has-text("Chat with Ann") .sessions__tag:text("Ended")');
    await console.click('#close-session');
    await console.waitForFunction(() => !document.getElementById('session-list').textContent.includes('Chat with Ann'));
    // Focus goes to the session in front before: Bob's, with his draft.
    await console.waitForFunction(() => document.getElementById('session-title').textContent === 'Chat with Bob');
    assert.equal(await console.inputValue('#reply-input'), 'Draft for Bob');

    // Bob leaves: wrap-up. No more replies, but the agent ends the conversation to close it.
    await bob.click('#chat-end');
    await console.waitForFunction(() => document.getElementById('conversation-status').textContent.startsWith('The customer left the chat.'));
    assert.equal(await console.isDisabled('#reply-input'), true);
    assert.equal(await console.isDisabled('#end-conversation'), false);
    await console.waitForSelector('.sessions__button:has-text("Chat with Bob") .sessions__tag:text("Wrap-up")');
    await console.click('#end-conversation');
    await console.waitForFunction(() => document.getElementById('conversation-status').textContent === 'You ended the conversation.');
    await console.waitForSelector('.sessions__button:has-text("Chat with Bob") .sessions__tag:text("Ended")');

    await sessionButton(console, 'Home').click();
    await console.waitForFunction(() => document.getElementById('mine-rows').textContent === '');
    assert.equal(await console.isVisible('#queue-empty'), true);
    assert.equal(await console.isVisible('#mine-empty'), true);
    await console.screenshot({ path: await outputPath('agent-console-home.png') });

    assert.deepEqual(world.problems(), []);
  });
});
