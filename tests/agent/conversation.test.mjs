// End to end: a customer on the demo page (index.html, the customer SDK) starts a chat; the
// agent, in another browser context, finds it with Microsoft.Omnichannel.getConversations,
// opens it with openConversation (which accepts it: a focused session with its tabs), answers
// with sendMessageToConversation(text, false), gets a suggestion into the send box with
// sendMessageToConversation(text), hears the customer through hotline.conversationMessage,
// links records, and ends the chat, which the customer sees.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { customerChat, outcome, pollConversations, recordEvents, recorded, signIn, sleep, waitForEvent, withWorld } from './harness.mjs';
import { AGENTS } from '../support/server.mjs';

const AGENT = AGENTS[0];
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP = '@Microsoft.Dynamics.CRM.lookuplogicalname';

/** The customer page's transcript lines: [kind, text without the meta line]. */
function customerLines(page) {
  return page.$$eval('#chat-transcript li', (items) => items.map((li) => [
    li.className.replace('msg msg--', ''),
    [...li.childNodes].filter((n) => !(n.classList && n.classList.contains('msg__meta'))).map((n) => n.textContent).join(''),
  ]));
}

test('a customer chat answered through openConversation and sendMessageToConversation', async () => {
  await withWorld({}, async (world) => {
    // The customer, on the demo page.
    const customer = await world.newPage('/index.html', 'customer');
    await customer.click('#chat-launcher');
    await customer.fill('#chat-start input[name="username"]', 'Ann');
    await customer.fill('#chat-start input[name="subject"]', 'Billing');
    await customer.click('#chat-start button[type="submit"]');
    await customer.waitForFunction(() => document.getElementById('chat-status').textContent === 'Waiting for an agent…');

    // The agent, on the SDK test page in its own context.
    const agent = await world.cifPage('agent');
    await recordEvents(agent, [
      'hotline.queueChanged', 'hotline.conversationMessage', 'hotline.conversationTyping',
      'hotline.conversationEnded', 'hotline.sendBox', 'hotline.workspaceChanged', 'onSessionSwitched',
    ]);
    await signIn(agent, world.server, AGENT);
    const agentId = await agent.evaluate(() => Microsoft.Omnichannel.getAgentId());
    assert.equal(agentId, AGENT.username);

    // The chat is in the queue: no agent has it yet.
    const attributes = ['msdyn_title', 'subject', 'msdyn_activeagentid', 'msdyn_customer', 'msdyn_issueid'];
    const queue = await pollConversations(
      agent,
      { agentId, includeQueue: true, status: [1, 2, 3, 5], attributes },
      (records) => records.some((r) => r.msdyn_title === 'Ann: Billing'),
    );
    const record = queue.find((r) => r.msdyn_title === 'Ann: Billing');
    const id = record.msdyn_ocliveworkitemid;
    assert.equal(record.statuscode, 1);
    assert.equal(record[`statuscode${FORMATTED}`], 'Open');
    assert.equal(record.msdyn_activeagentid, null);
    assert.equal(record.subject, 'Billing');
    // Without includeQueue, only the agent's own conversations: not this one yet.
    assert.deepEqual(await agent.evaluate((agentId) => Microsoft.Omnichannel.getConversations({ agentId, status: [1] }), agentId), []);

    // Open it: accepted, and a focused session from the chat template with its tabs.
    const sessionId = await agent.evaluate((id) => Microsoft.Omnichannel.openConversation(id), id);
    assert.equal(sessionId, 'session-id-1');
    const opened = await agent.evaluate(async () => ({
      focused: await Microsoft.CIFramework.getFocusedSession(),
      conversationId: await Microsoft.Omnichannel.getConversationId(),
      workspace: Microsoft.CIFramework.getWorkspace(),
    }));
    assert.equal(opened.focused, sessionId);
    assert.equal(opened.conversationId, id);
    const session = opened.workspace.sessions.find((s) => s.sessionId === sessionId);
    assert.equal(session.title, 'Chat with Ann');
    assert.equal(session.conversationId, id);
    assert.equal(session.customerName, 'Ann');
    assert.deepEqual(session.tabs.map((t) => [t.title, t.isAnchor, t.isFocused]), [['Conversation', true, true], ['Search: Ann', false, false]]);
    assert.deepEqual(session.tabs[0].parameters, { entityName: 'msdyn_ocliveworkitem', entityId: id });
    assert.equal(session.tabs[1].parameters.searchText, 'Ann');
    assert.deepEqual((await recorded(agent, 'onSessionSwitched')).map((e) => [e.data.sessionId, e.data.focused]), [[sessionId, true]]);
    // Opening it again only brings the same session to the front.
    assert.equal(await agent.evaluate((id) => Microsoft.Omnichannel.openConversation(id), id), sessionId);

    await customer.waitForFunction(() => document.getElementById('chat-status').textContent === 'Chatting with agent1');
    const mine = await pollConversations(agent, { agentId, status: [2], attributes }, (records) => records.length === 1);
    assert.equal(mine[0].msdyn_ocliveworkitemid, id);
    assert.equal(mine[0].msdyn_activeagentid, agentId);
    await waitForEvent(agent, 'hotline.queueChanged', { conversationId: id, status: 'active' });

    // The agent answers straight to the customer (toSendBox false; the focused conversation).
    const sent = await agent.evaluate(() => Microsoft.Omnichannel.sendMessageToConversation('Hello Ann, how can I help?', false));
    assert.equal(sent.chatId, id);
    assert.equal(typeof sent.index, 'number');
    await customer.waitForFunction(() => document.getElementById('chat-transcript').textContent.includes('Hello Ann, how can I help?'));
    // Its own message comes back on the live channel too.
    await waitForEvent(agent, 'hotline.conversationMessage', { conversationId: id, sessionId, message: { text: 'Hello Ann, how can I help?', from: { type: 'Agent' } } });

    // The default (toSendBox): a hotline.sendBox event, and nothing reaches the customer.
    assert.equal(await agent.evaluate(() => Microsoft.Omnichannel.sendMessageToConversation('A suggested reply')), true);
    const box = await waitForEvent(agent, 'hotline.sendBox', { conversationId: id });
    assert.deepEqual(box.data, { conversationId: id, sessionId, message: 'A suggested reply' });
    assert.equal(await agent.evaluate((id) => Microsoft.Omnichannel.sendMessageToConversation({ content: 'Rich suggestion' }, true, id), id), true);
    await waitForEvent(agent, 'hotline.sendBox', { conversationId: id, message: 'Rich suggestion' });

    // The customer types and writes: typing and message events for the agent.
    await customer.fill('#chat-input', 'My bill is wrong');
    await waitForEvent(agent, 'hotline.conversationTyping', { conversationId: id, sessionId, isTyping: true });
    await customer.press('#chat-input', 'Enter');
    const said = await waitForEvent(agent, 'hotline.conversationMessage', { conversationId: id, message: { text: 'My bill is wrong', from: { type: 'Client' } } });
    assert.equal(said.data.sessionId, sessionId);
    assert.equal(said.data.message.from.nickname, 'Ann');
    assert.equal(said.data.message.type, 'Message');

    // The send box never reached the customer, nor the transcript.
    await sleep(300);
    const customerText = await customer.textContent('#chat-transcript');
    assert.ok(!customerText.includes('A suggested reply') && !customerText.includes('Rich suggestion'), customerText);
    const transcript = await agent.evaluate((id) => Microsoft.Omnichannel.getTranscript(id), id);
    const texts = transcript.messages.filter((m) => m.type === 'Message').map((m) => [m.from.type, m.text]);
    assert.deepEqual(texts, [['Agent', 'Hello Ann, how can I help?'], ['Client', 'My bill is wrong']]);

    // The agent's typing reaches the customer.
    await agent.evaluate((id) => Microsoft.Omnichannel.sendTypingToConversation(true, id), id);
    await customer.waitForFunction(() => document.getElementById('chat-typing').textContent.includes('is typing'));
    await agent.evaluate(() => Microsoft.Omnichannel.sendTypingToConversation(false));

    // Link a contact and a case; the records show them. A new contact replaces the old one.
    assert.equal(await agent.evaluate(() => Microsoft.Omnichannel.linkToConversation('contact', 'C-1001')), true);
    assert.equal(await agent.evaluate((id) => Microsoft.Omnichannel.linkToConversation('incident', 'CASE-7', id), id), true);
    let [linked] = await agent.evaluate((agentId) => Microsoft.Omnichannel.getConversations(
      { agentId, status: [2], attributes: ['msdyn_customer', 'msdyn_issueid'] }), agentId);
    assert.equal(linked.msdyn_customer, 'C-1001');
    assert.equal(linked[`msdyn_customer${LOOKUP}`], 'contact');
    assert.equal(linked.msdyn_issueid, 'CASE-7');
    assert.equal(await agent.evaluate(() => Microsoft.Omnichannel.linkToConversation('account', 'A-55')), true);
    assert.equal(await agent.evaluate(() => Microsoft.Omnichannel.unlinkFromConversation('incident', 'CASE-7')), true);
    [linked] = await agent.evaluate((agentId) => Microsoft.Omnichannel.getConversations(
      { agentId, status: [2], attributes: ['msdyn_customer', 'msdyn_issueid'] }), agentId);
    assert.equal(linked.msdyn_customer, 'A-55');
    assert.equal(linked[`msdyn_customer${LOOKUP}`], 'account');
    assert.equal(linked.msdyn_issueid, null);

    // End it: the customer sees the chat ended by the agent; the agent gets the event.
    const ended = await outcome(agent, 'return await Omnichannel.endConversation();');
    assert.equal(ended.rejected, false);
    assert.equal(ended.value.conversation.status, 'closed');
    await customer.waitForFunction(() => document.getElementById('chat-status').textContent === 'Chat ended');
    const lines = await customerLines(customer);
    assert.deepEqual(lines.at(-1), ['system', 'The agent ended the chat.']);
    assert.ok(lines.some(([kind, text]) => kind === 'agent' && text === 'Hello Ann, how can I help?'), JSON.stringify(lines));
    assert.ok(lines.some(([kind, text]) => kind === 'client' && text === 'My bill is wrong'), JSON.stringify(lines));
    await waitForEvent(agent, 'hotline.conversationEnded', { conversationId: id, sessionId, status: 'closed' });
    await waitForEvent(agent, 'hotline.queueChanged', { conversationId: id, status: 'closed' });
    const closed = await agent.evaluate((agentId) => Microsoft.Omnichannel.getConversations({ agentId, status: [4] }), agentId);
    assert.deepEqual(closed.map((r) => r.msdyn_ocliveworkitemid), [id]);

    // The session stays until the agent closes it.
    assert.equal(await agent.evaluate((id) => Microsoft.CIFramework.closeSession(id), sessionId), true);
    assert.equal(await agent.evaluate(() => Microsoft.CIFramework.getFocusedSession()), null);
    assert.deepEqual(world.problems(), []);
  });
});

test('initialize resolves once live events flow: a conversation opened right after it is followed from its first change', async () => {
  await withWorld({}, async (world) => {
    const customer = await customerChat(world, { username: 'Quick', subject: 'Right away' });
    const id = await customer.evaluate(() => window.customer.session.sessionId);
    const agent = await world.cifPage('agent');
    await recordEvents(agent, ['hotline.queueChanged']);
    // A slow network for the live connection only: every Bayeux request and frame of this page
    // leaves 400 ms late (REST calls such as the accept are not slowed).
    await agent.evaluate(() => {
      const late = (fn) => new Promise((resolve) => setTimeout(resolve, 400)).then(fn);
      const originalFetch = window.fetch;
      window.fetch = function (input, init) {
        const url = typeof input === 'string' ? input : input.url;
        return url.includes('/cometd') ? late(() => originalFetch.call(this, input, init)) : originalFetch.call(this, input, init);
      };
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) { setTimeout(() => send.call(this, data), 400); };
    });
    // No pause between initialize and the first change it must report.
    const sessionId = await agent.evaluate(async ({ serverUrl, username, password, id }) => {
      await Microsoft.CIFramework.initialize({ serverUrl, username, password });
      return Microsoft.Omnichannel.openConversation(id);
    }, { serverUrl: world.server.url, username: AGENT.username, password: AGENT.password, id });
    assert.equal(typeof sessionId, 'string');
    await waitForEvent(agent, 'hotline.queueChanged', { conversationId: id, status: 'active' });
  });
});
