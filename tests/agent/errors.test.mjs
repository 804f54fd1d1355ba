// Every error the agent SDK's JS API can be made to reject with, against a real
// hotline-server: each checks `message`, `msdyn_name` (the API) and `errorCode` (the table in
// src/core/cif/errors.rs), and that the rejection is an `Error`.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertRejects, customerChat, outcome, pollConversations, signIn, startWorld } from './harness.mjs';
import { AGENTS } from '../support/server.mjs';

const NOT_INITIALIZED = 'Microsoft.CIFramework is not initialized: call initialize({serverUrl}) first';

describe('agent SDK errors', () => {
  let world;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    const problems = world?.problems() ?? [];
    await world?.close();
    assert.deepEqual(problems, [], 'no page errors');
  });

  test('every call before initialize rejects NotInitialized', async () => {
    const page = await world.cifPage('not initialized');
    const calls = [
      ['createSession', 'CIF.createSession({templateName: "msdyn_chat_session"})'],
      ['canCreateSession', 'CIF.canCreateSession()'],
      ['getSession', 'CIF.getSession("session-id-1")'],
      ['getFocusedSession', 'CIF.getFocusedSession()'],
      ['getAllSessions', 'CIF.getAllSessions()'],
      ['requestFocusSession', 'CIF.requestFocusSession("session-id-1", 2)'],
      ['setSessionTitle', 'CIF.setSessionTitle({customer: "x"})'],
      ['notifyNewActivity', 'CIF.notifyNewActivity("session-id-1", 1)'],
      ['notifyKpiBreach', 'CIF.notifyKpiBreach("session-id-1", false, "late")'],
      ['updateContext', 'CIF.updateContext({a: 1})'],
      ['focusSession', 'CIF.focusSession("session-id-1")'],
      ['closeSession', 'CIF.closeSession("session-id-1")'],
      ['createTab', 'CIF.createTab({templateName: "msdyn_customer_search"})'],
      ['getFocusedTab', 'CIF.getFocusedTab()'],
      ['getTabs', 'CIF.getTabs()'],
      ['focusTab', 'CIF.focusTab("tab-id-1")'],
      ['refreshTab', 'CIF.refreshTab("tab-id-1")'],
      ['setTabTitle', 'CIF.setTabTitle("tab-id-1", {title: "x"})'],
      ['closeTab', 'CIF.closeTab("tab-id-1")'],
      ['setPresence', 'CIF.setPresence("Available")'],
      ['getPresence', 'CIF.getPresence()'],
      ['setMode', 'CIF.setMode(1)'],
      ['getMode', 'CIF.getMode()'],
      ['setWidth', 'CIF.setWidth(300)'],
      ['getWidth', 'CIF.getWidth()'],
      ['raiseEvent', 'CIF.raiseEvent("custom", {a: 1})'],
      ['getConversations', 'Omnichannel.getConversations({agentId: "agent1"})'],
      ['getConversationId', 'Omnichannel.getConversationId()'],
      ['openConversation', 'Omnichannel.openConversation("abc")'],
      ['linkToConversation', 'Omnichannel.linkToConversation("contact", "c1", "abc")'],
      ['unlinkFromConversation', 'Omnichannel.unlinkFromConversation("contact", "c1", "abc")'],
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("hi", false, "abc")'],
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("to the send box", true, "abc")'],
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("default: the send box", undefined, "abc")'],
      ['endConversation', 'Omnichannel.endConversation("abc")'],
      ['sendTypingToConversation', 'Omnichannel.sendTypingToConversation(true, "abc")'],
      ['getTranscript', 'Omnichannel.getTranscript("abc")'],
      ['getAgentId', 'Omnichannel.getAgentId()'],
    ];
    for (const [api, call] of calls) {
      await assertRejects(page, `return await ${call};`, { message: NOT_INITIALIZED, msdyn_name: api, errorCode: 17 });
    }
    // Handlers may be registered before initialize (to see CIFInitDone's consequences).
    const added = await outcome(page, 'return await CIF.addHandler("onSessionSwitched", () => Promise.resolve());');
    assert.deepEqual(added, { rejected: false, value: true });
  });

  test('initialize: missing serverUrl, wrong credentials (and still not initialized after)', async () => {
    const page = await world.cifPage('initialize');
    const url = world.server.url;
    await assertRejects(page, 'return await CIF.initialize({username: "agent1", password: "secret1"});', {
      message: 'The serverUrl parameter is required but is null or empty', msdyn_name: 'initialize', errorCode: 3,
    });
    await assertRejects(page, 'return await CIF.initialize({serverUrl: "  "});', {
      message: 'The serverUrl parameter is required but is null or empty', msdyn_name: 'initialize', errorCode: 3,
    });
    await assertRejects(page, 'return await CIF.initialize({serverUrl: arg, username: "agent1", password: "wrong"});', {
      message: 'The server answered 401: agent credentials are not valid', msdyn_name: 'initialize', errorCode: 19,
    }, url);
    await assertRejects(page, 'return await CIF.initialize({serverUrl: arg, username: "nobody", password: "secret1"});', {
      message: 'The server answered 401: agent credentials are not valid', msdyn_name: 'initialize', errorCode: 19,
    }, url);
    // A failed sign-in leaves the API uninitialized.
    await assertRejects(page, 'return await CIF.createSession({templateName: "msdyn_chat_session"});', {
      message: NOT_INITIALIZED, msdyn_name: 'createSession', errorCode: 17,
    });
    // The right password works after the wrong ones.
    assert.deepEqual(await outcome(page, 'return await CIF.initialize({serverUrl: arg, username: "agent1", password: "secret1"});', url),
      { rejected: false, value: true });
  });

  test('initialized without signing in: the server calls reject NotSignedIn', async () => {
    const page = await world.cifPage('no sign-in');
    assert.deepEqual(await outcome(page, 'return await CIF.initialize({serverUrl: arg});', world.server.url),
      { rejected: false, value: true });
    const notSignedIn = 'The agent is not signed in: call initialize({serverUrl, username, password})';
    for (const [api, call] of [
      ['getConversations', 'Omnichannel.getConversations({agentId: "agent1"})'],
      ['openConversation', 'Omnichannel.openConversation("abc")'],
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("hi", false, "abc")'],
      ['linkToConversation', 'Omnichannel.linkToConversation("contact", "c1", "abc")'],
      ['endConversation', 'Omnichannel.endConversation("abc")'],
      ['getTranscript', 'Omnichannel.getTranscript("abc")'],
    ]) {
      await assertRejects(page, `return await ${call};`, { message: notSignedIn, msdyn_name: api, errorCode: 18 });
    }
    // The workspace itself works without the server.
    assert.equal((await outcome(page, 'return await CIF.createSession({templateName: "msdyn_chat_session"});')).value, 'session-id-1');
  });

  test('sessions: bad inputs, unknown and Entity templates, the 11th session, unknown ids, Home', async () => {
    const page = await world.cifPage('sessions');
    await signIn(page, world.server, AGENTS[0]);
    const api = 'createSession';
    await assertRejects(page, 'return await CIF.createSession(null);', {
      message: 'Some of required parameters are null', msdyn_name: api, errorCode: 1,
    });
    await assertRejects(page, 'return await CIF.createSession();', {
      message: 'Some of required parameters are null', msdyn_name: api, errorCode: 1,
    });
    await assertRejects(page, 'return await CIF.createSession("{templateName: nope");', {
      message: /^The input is not valid JSON: /, msdyn_name: api, errorCode: 2,
    });
    await assertRejects(page, 'return await CIF.createSession(42);', {
      message: 'The input parameter is not valid: must be an object or a JSON string holding one', msdyn_name: api, errorCode: 4,
    });
    await assertRejects(page, 'return await CIF.createSession({});', {
      message: 'The templateName parameter is required but is null or empty', msdyn_name: api, errorCode: 3,
    });
    await assertRejects(page, 'return await CIF.createSession({templateName: "contoso_missing"});', {
      message: 'Did not find template by name (contoso_missing)', msdyn_name: api, errorCode: 5,
    });
    await assertRejects(page, 'return await CIF.createSession({templateTag: "no-such-tag"});', {
      message: 'Error retrieving template by tag (no-such-tag) : no session template has this tag', msdyn_name: api, errorCode: 6,
    });
    await assertRejects(page, 'return await CIF.createSession({templateName: "msdyn_case_session"});', {
      message: 'The session template (msdyn_case_session) is of type Entity: createSession supports only session templates of type Generic',
      msdyn_name: api,
      errorCode: 7,
    });
    await assertRejects(page, 'return await CIF.createSession({templateName: "msdyn_chat_session", templateParameters: 7});', {
      message: 'The templateParameters parameter is not valid: must be an object', msdyn_name: api, errorCode: 4,
    });
    // The JSON-string form works, and so does a tag.
    assert.equal((await outcome(page, 'return await CIF.createSession(JSON.stringify({templateName: "msdyn_chat_session", templateParameters: {customer: "Json"}}));')).value, 'session-id-1');
    assert.equal((await outcome(page, 'return await CIF.createSession({templateTag: "voice", templateParameters: {customer: "Tag"}});')).value, 'session-id-2');

    // Ten sessions are allowed; the 11th is refused, and nothing changes.
    const ten = await outcome(page, `
      const ids = [];
      for (let i = 3; i <= 10; i++) ids.push(await CIF.createSession({templateName: "msdyn_chat_session", templateParameters: {customer: "C" + i}}));
      return {ids, can: await CIF.canCreateSession()};`);
    assert.deepEqual(ten.value.ids, ['session-id-3', 'session-id-4', 'session-id-5', 'session-id-6', 'session-id-7', 'session-id-8', 'session-id-9', 'session-id-10']);
    assert.equal(ten.value.can, false);
    await assertRejects(page, 'return await CIF.createSession({templateName: "msdyn_chat_session", templateParameters: {customer: "Eleven"}});', {
      message: 'Maximum sessions reached. Close a session before opening another.', msdyn_name: api, errorCode: 8,
    });
    assert.equal((await outcome(page, 'return (await CIF.getAllSessions()).length;')).value, 10);
    // Closing one makes room again.
    assert.equal((await outcome(page, 'return await CIF.closeSession("session-id-3");')).value, true);
    assert.equal((await outcome(page, 'return await CIF.canCreateSession();')).value, true);

    // Unknown session ids.
    const unknown = { message: 'Session with ID:session-id-99 does not exist', errorCode: 9 };
    for (const [name, call] of [
      ['getSession', 'CIF.getSession("session-id-99")'],
      ['focusSession', 'CIF.focusSession("session-id-99")'],
      ['closeSession', 'CIF.closeSession("session-id-99")'],
      ['requestFocusSession', 'CIF.requestFocusSession("session-id-99")'],
      ['notifyNewActivity', 'CIF.notifyNewActivity("session-id-99", 1)'],
      ['notifyKpiBreach', 'CIF.notifyKpiBreach("session-id-99")'],
      ['setSessionTitle', 'CIF.setSessionTitle({sessionId: "session-id-99", customer: "x"})'],
    ]) {
      await assertRejects(page, `return await ${call};`, { ...unknown, msdyn_name: name });
    }
    await assertRejects(page, 'return await CIF.getSession("session-id-3");', {
      message: 'Session with ID:session-id-3 does not exist', msdyn_name: 'getSession', errorCode: 9,
    });
    await assertRejects(page, 'return await CIF.focusSession("");', {
      message: 'The sessionId parameter is required but is null or empty', msdyn_name: 'focusSession', errorCode: 3,
    });
    await assertRejects(page, 'return await CIF.updateContext({a: 1}, "session-id-99");', {
      message: 'Please provide valid session id', msdyn_name: 'updateContext', errorCode: 11,
    });
    await assertRejects(page, 'return await CIF.notifyNewActivity("session-id-2", -1);', {
      message: 'The count parameter is not valid: must be a whole number, 0 or more', msdyn_name: 'notifyNewActivity', errorCode: 4,
    });

    // Home: cannot be closed or renamed; while it is in front there is no provider session.
    await assertRejects(page, 'return await CIF.closeSession("session-id-0");', {
      message: 'The Home session cannot be closed', msdyn_name: 'closeSession', errorCode: 12,
    });
    await assertRejects(page, 'return await CIF.setSessionTitle({sessionId: "session-id-0", title: "x"});', {
      message: 'The Home session cannot be renamed', msdyn_name: 'setSessionTitle', errorCode: 12,
    });
    assert.equal((await outcome(page, 'await CIF.focusSession("session-id-0"); return await CIF.getFocusedSession();')).value, null);
    await assertRejects(page, 'return await CIF.setSessionTitle({customer: "x"});', {
      message: 'Focused session does not belong to the provider', msdyn_name: 'setSessionTitle', errorCode: 10,
    });
    await assertRejects(page, 'return await CIF.updateContext({a: 1});', {
      message: 'Please provide valid session id', msdyn_name: 'updateContext', errorCode: 11,
    });
  });

  test('tabs and panel: anchor tab, unknown tabs and templates, setMode(5), handlers', async () => {
    const page = await world.cifPage('tabs');
    await signIn(page, world.server, AGENTS[0]);
    const { value: ws } = await outcome(page, `
      await CIF.createSession({templateName: "msdyn_chat_session", templateParameters: {customer: "Tab"}});
      return CIF.getWorkspace();`);
    const session = ws.sessions.find((s) => s.isFocused);
    const [anchor, search] = session.tabs;
    assert.equal(anchor.isAnchor, true);

    await assertRejects(page, 'return await CIF.closeTab(arg);', {
      message: 'The anchor tab of a session cannot be closed', msdyn_name: 'closeTab', errorCode: 14,
    }, anchor.tabId);
    for (const [name, call] of [
      ['focusTab', 'CIF.focusTab("tab-id-999")'],
      ['closeTab', 'CIF.closeTab("tab-id-999")'],
      ['refreshTab', 'CIF.refreshTab("tab-id-999")'],
      ['setTabTitle', 'CIF.setTabTitle("tab-id-999", {title: "x"})'],
    ]) {
      await assertRejects(page, `return await ${call};`, {
        message: 'Tab with ID:tab-id-999 does not exist in the focused session', msdyn_name: name, errorCode: 13,
      });
    }
    await assertRejects(page, 'return await CIF.focusTab("");', {
      message: 'The tabId parameter is required but is null or empty', msdyn_name: 'focusTab', errorCode: 3,
    });
    await assertRejects(page, 'return await CIF.createTab({templateName: "contoso_no_tab"});', {
      message: 'Did not find template by name (contoso_no_tab)', msdyn_name: 'createTab', errorCode: 5,
    });
    await assertRejects(page, 'return await CIF.createTab({});', {
      message: 'The templateName parameter is required but is null or empty', msdyn_name: 'createTab', errorCode: 3,
    });
    await assertRejects(page, 'return await CIF.createTab(null);', {
      message: 'Some of required parameters are null', msdyn_name: 'createTab', errorCode: 1,
    });
    // A tab of another session is unknown while that session is not in front.
    await outcome(page, 'await CIF.createSession({templateName: "CallSessionTemplate", templateParameters: {customer: "Other"}});');
    await assertRejects(page, 'return await CIF.focusTab(arg);', {
      message: `Tab with ID:${search.tabId} does not exist in the focused session`, msdyn_name: 'focusTab', errorCode: 13,
    }, search.tabId);
    // A non-anchor tab closes.
    assert.equal((await outcome(page, 'await CIF.focusSession(arg.s); return await CIF.closeTab(arg.t);', { s: session.sessionId, t: search.tabId })).value, true);

    for (const mode of [5, -1, 1.5, '"docked"', 'null']) {
      await assertRejects(page, `return await CIF.setMode(${mode});`, {
        message: 'The setMode paramter value must be 0, 1 or 2.', msdyn_name: 'setMode', errorCode: 15,
      });
    }
    assert.equal((await outcome(page, 'await CIF.setMode(0); return await CIF.getMode();')).value, 0);
    await assertRejects(page, 'return await CIF.setWidth(-5);', {
      message: /^The width parameter is not valid: /, msdyn_name: 'setWidth', errorCode: 4,
    });
    await assertRejects(page, 'return await CIF.addHandler("onSessionClosed", "not a function");', {
      message: 'The handler parameter is required but is null or empty', msdyn_name: 'addHandler', errorCode: 3,
    });
  });

  test('Omnichannel: getConversations inputs, unknown conversations, links, messages', async () => {
    const page = await world.cifPage('omnichannel');
    await signIn(page, world.server, AGENTS[0]);
    const api = 'getConversations';
    await assertRejects(page, 'return await Omnichannel.getConversations({});', {
      message: 'The agentId parameter is required but is null or empty', msdyn_name: api, errorCode: 3,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({status: [3]});', {
      message: 'The agentId parameter is required but is null or empty', msdyn_name: api, errorCode: 3,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: "  "});', {
      message: 'The agentId parameter is required but is null or empty', msdyn_name: api, errorCode: 3,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations();', {
      message: 'Some of required parameters are null', msdyn_name: api, errorCode: 1,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations("{agentId: x");', {
      message: /^The input is not valid JSON: /, msdyn_name: api, errorCode: 2,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: 7});', {
      message: 'The agentId parameter is not valid: must be a string', msdyn_name: api, errorCode: 4,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: "agent1", status: ["waiting"]});', {
      message: 'The status parameter is not valid: "waiting" is not a status code (a whole number such as 3)', msdyn_name: api, errorCode: 4,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: "agent1", orderBy: [{}]});', {
      message: 'The orderBy parameter is not valid: attributeName is required in each item', msdyn_name: api, errorCode: 4,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: "agent1", createdBeforeDays: -1});', {
      message: 'The createdBeforeDays parameter is not valid: must be a number of days, 0 or more', msdyn_name: api, errorCode: 4,
    });
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: "agent1", includeQueue: "yes"});', {
      message: 'The includeQueue parameter is not valid: must be true or false', msdyn_name: api, errorCode: 4,
    });
    // An attribute the server does not know: the server's Dataverse error.
    await assertRejects(page, 'return await Omnichannel.getConversations({agentId: "agent1", attributes: ["msdyn_nonsense"]});', {
      message: /^The server answered 400: .*msdyn_nonsense/, msdyn_name: api, errorCode: 19,
    });
    // The documented string form of the input works.
    assert.deepEqual(await outcome(page, 'return await Omnichannel.getConversations(JSON.stringify({agentId: "agent1", status: "3,4"}));'),
      { rejected: false, value: [] });

    // openConversation: missing and unknown ids.
    await assertRejects(page, 'return await Omnichannel.openConversation();', {
      message: 'The conversationId parameter is required but is null or empty', msdyn_name: 'openConversation', errorCode: 3,
    });
    await assertRejects(page, 'return await Omnichannel.openConversation("no-such-chat");', {
      message: /^The server answered 404: /, msdyn_name: 'openConversation', errorCode: 19,
    });
    assert.deepEqual(await outcome(page, 'return await CIF.getAllSessions();'), { rejected: false, value: [] }, 'no session opened');

    // No conversation in front (Home): the calls that default to it need an id.
    for (const [name, call] of [
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("hi", false)'],
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("hi")'],
      ['linkToConversation', 'Omnichannel.linkToConversation("contact", "c1")'],
      ['unlinkFromConversation', 'Omnichannel.unlinkFromConversation("contact", "c1")'],
      ['endConversation', 'Omnichannel.endConversation()'],
      ['sendTypingToConversation', 'Omnichannel.sendTypingToConversation(true)'],
      ['getTranscript', 'Omnichannel.getTranscript()'],
    ]) {
      await assertRejects(page, `return await ${call};`, {
        message: 'The conversationId parameter is required but is null or empty', msdyn_name: name, errorCode: 3,
      });
    }
    assert.deepEqual(await outcome(page, 'return await Omnichannel.getConversationId();'), { rejected: false, value: null });
    await assertRejects(page, 'return await Omnichannel.sendMessageToConversation(42, false, "x");', {
      message: 'The message parameter is not valid: must be a string or a message object', msdyn_name: 'sendMessageToConversation', errorCode: 4,
    });
    for (const [name, call] of [
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("hi", false, "no-such-chat")'],
      ['linkToConversation', 'Omnichannel.linkToConversation("contact", "c1", "no-such-chat")'],
      ['endConversation', 'Omnichannel.endConversation("no-such-chat")'],
      ['sendTypingToConversation', 'Omnichannel.sendTypingToConversation(true, "no-such-chat")'],
      ['getTranscript', 'Omnichannel.getTranscript("no-such-chat")'],
    ]) {
      await assertRejects(page, `return await ${call};`, { message: /^The server answered 404: /, msdyn_name: name, errorCode: 19 });
    }
    await assertRejects(page, 'return await Omnichannel.linkToConversation("", "c1", "x");', {
      message: 'The entityLogicalName parameter is required but is null or empty', msdyn_name: 'linkToConversation', errorCode: 3,
    });

    // A real conversation, taken by agent2: agent1 may not open it, talk in it, or end it.
    const customer = await customerChat(world, { username: 'Eve', subject: 'Taken' });
    const other = await world.cifPage('agent2');
    await signIn(other, world.server, AGENTS[1]);
    const [record] = await pollConversations(other, { agentId: AGENTS[1].username, includeQueue: true, status: [1], attributes: ['msdyn_title'] },
      (records) => records.some((r) => r.msdyn_title === 'Eve: Taken'));
    const id = record.msdyn_ocliveworkitemid;
    assert.equal((await outcome(other, 'return await Omnichannel.openConversation(arg);', id)).value, 'session-id-1');
    await assertRejects(page, 'return await Omnichannel.openConversation(arg);', {
      message: /^The server answered 409: /, msdyn_name: 'openConversation', errorCode: 19,
    }, id);
    assert.deepEqual(await outcome(page, 'return await CIF.getAllSessions();'), { rejected: false, value: [] }, 'no session for it');
    for (const [name, call] of [
      ['sendMessageToConversation', 'Omnichannel.sendMessageToConversation("hi", false, arg)'],
      ['endConversation', 'Omnichannel.endConversation(arg)'],
      ['sendTypingToConversation', 'Omnichannel.sendTypingToConversation(true, arg)'],
    ]) {
      await assertRejects(page, `return await ${call};`, { message: /^The server answered 403: /, msdyn_name: name, errorCode: 19 }, id);
    }

    // Links on agent2's conversation: bad entity, no record id, nothing to unlink.
    await assertRejects(other, 'return await Omnichannel.linkToConversation("planet", "p1", arg);', {
      message: /^The server answered 400: /, msdyn_name: 'linkToConversation', errorCode: 19,
    }, id);
    await assertRejects(other, 'return await Omnichannel.linkToConversation("contact", "", arg);', {
      message: 'The recordId parameter is required but is null or empty', msdyn_name: 'linkToConversation', errorCode: 3,
    }, id);
    await assertRejects(other, 'return await Omnichannel.unlinkFromConversation("contact", "c1", arg);', {
      message: /^The server answered 404: /, msdyn_name: 'unlinkFromConversation', errorCode: 19,
    }, id);

    // Once it has ended: no more messages, no links.
    assert.equal((await outcome(other, 'return (await Omnichannel.endConversation(arg)).conversation.status;', id)).value, 'closed');
    await assertRejects(other, 'return await Omnichannel.sendMessageToConversation("too late", false, arg);', {
      message: /^The server answered 409: /, msdyn_name: 'sendMessageToConversation', errorCode: 19,
    }, id);
    await assertRejects(other, 'return await Omnichannel.linkToConversation("contact", "c1", arg);', {
      message: /^The server answered 409: /, msdyn_name: 'linkToConversation', errorCode: 19,
    }, id);
    await customer.close();
  });
});
