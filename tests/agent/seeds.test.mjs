// The documented examples, run verbatim in a browser against a real hotline-server:
//
// - seed 000_063675bf4608c2c6.txt: Microsoft.CIFramework.createSession with "msdyn_chat_session";
// - seed 001_7dd489c7271071ed.txt: the same with "CallSessionTemplate";
// - seed 002_915e637a2a4c553f.txt: Microsoft.Omnichannel.getConversations for agent
//   "2b330c52-6844-4d36-8e05-03c78c9681dc", status [3] (Waiting), newest first.
//
// Each example is the seed's JavaScript character for character, run as a classic script in the
// page (indirect eval). Its result is what it logs: the page's console.log is watched.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  SEED_AGENT, customerChat, pollConversations, recordEvents, recorded, signIn, sleep, startWorld,
} from './harness.mjs';
import { AGENTS } from '../support/server.mjs';

// ---- the seeds' code, verbatim ---------------------------------------------------------------

const SEED_000 = `var input = {
   // unique name of the configured template   
    templateName: "msdyn_chat_session",
 
    templateParameters: {
        customer: "Contoso",
    }
    // Global and application tab template parameters, these values will override configured values
   };
Microsoft.CIFramework.createSession(input).then(function success(sessionId) {
    console.log(sessionId);
    // perform operations on session Id retrieved
}, function(error) {
    console.log(error.message);
    // handle error conditions
});`;

const SEED_001 = `var input = {

templateName: "CallSessionTemplate",

// name of the configured template

templateParameters: {

customer: "Contoso",

}

// Global and application tab template parameters, these values will override configured values

};

Microsoft.CIFramework.createSession(input).then(

function success(sessionId) {

console.log(sessionId);

// perform operations on session Id retrieved

},

function (error) {

console.log(error.message);

// handle error conditions

}

);`;

const SEED_002 = `var input = { 
    "attributes": [
        "msdyn_title",
        "msdyn_channel"
        ],
    "agentId": "2b330c52-6844-4d36-8e05-03c78c9681dc",
    "status": [3], 
    "orderBy": [
        { 
            "attributeName": "createdon",
            "descending": true
        }
    ]
};
Microsoft.Omnichannel.getConversations(input).then(result => {
    console.log("result is as:", result); 
    }, (error) => {
        console.log("error is as:", error); 
    }
);`;

/**
 * Runs a seed's code as a classic script and resolves with the arguments of the first
 * console.log it makes (the seeds report their result, or the error, that way).
 */
function runSeed(page, code) {
  return page.evaluate(async (code) => {
    const original = console.log;
    try {
      const logged = new Promise((resolve) => {
        console.log = (...args) => {
          original.apply(console, args);
          resolve(args);
        };
      });
      (0, eval)(code); // the seed, as a page script would run it
      return await logged;
    } finally {
      console.log = original;
    }
  }, code);
}

const DEFAULT_ATTRIBUTES = ['msdyn_ocliveworkitemid', 'msdyn_liveworkstreamid', 'msdyn_lastsessionid', 'statuscode', 'createdon'];

describe('seed examples, verbatim', () => {
  let world;
  before(async () => {
    // The seed agent's account; customers whose page is gone become Waiting after 2 s.
    world = await startWorld({
      args: ['--agent', `${SEED_AGENT.username}:${SEED_AGENT.password}`, '--bayeux-max-interval-ms', '2000'],
    });
  });
  after(async () => {
    const problems = world?.problems() ?? [];
    await world?.close();
    assert.deepEqual(problems, [], 'no page errors');
  });

  test('000 and 001: createSession from msdyn_chat_session and CallSessionTemplate', async () => {
    const page = await world.cifPage('agent');
    await signIn(page, world.server, AGENTS[0]);
    await recordEvents(page, ['onSessionSwitched', 'hotline.workspaceChanged']);

    // Seed 000.
    const [chatSessionId, ...rest000] = await runSeed(page, SEED_000);
    assert.equal(rest000.length, 0);
    assert.equal(chatSessionId, 'session-id-1', 'the success callback logged the new session id');

    let workspace = await page.evaluate(() => Microsoft.CIFramework.getWorkspace());
    assert.equal(workspace.focusedSessionId, chatSessionId);
    let session = workspace.sessions.find((s) => s.sessionId === chatSessionId);
    assert.equal(session.title, 'Chat with Contoso', 'the title slug {customer} is resolved');
    assert.equal(session.templateName, 'msdyn_chat_session');
    assert.equal(session.isFocused, true);
    assert.deepEqual(
      session.tabs.map((t) => ({ title: t.title, templateName: t.templateName, pageType: t.pageType, isAnchor: t.isAnchor, isFocused: t.isFocused })),
      [
        { title: 'Conversation', templateName: 'msdyn_chat_conversation', pageType: 'entityrecord', isAnchor: true, isFocused: true },
        { title: 'Search: Contoso', templateName: 'msdyn_customer_search', pageType: 'search', isAnchor: false, isFocused: false },
      ],
    );
    assert.deepEqual(session.tabs[1].parameters, { searchType: 1, searchText: 'Contoso' }, 'typed and slug-resolved parameters');
    assert.equal(session.tabs[0].parameters.entityName, 'msdyn_ocliveworkitem');
    assert.equal(session.focusedTabId, session.tabs[0].tabId);

    const api = await page.evaluate(async (id) => ({
      focused: await Microsoft.CIFramework.getFocusedSession(),
      all: await Microsoft.CIFramework.getAllSessions(),
      session: await Microsoft.CIFramework.getSession(id),
      tabs: await Microsoft.CIFramework.getTabs(),
      searchTabs: await Microsoft.CIFramework.getTabs('msdyn_customer_search'),
      focusedTab: await Microsoft.CIFramework.getFocusedTab(),
    }), chatSessionId);
    assert.equal(api.focused, chatSessionId);
    assert.deepEqual(api.all, [chatSessionId]);
    assert.deepEqual(api.session, { sessionId: chatSessionId, conversationId: null, context: null, isFocused: true, focused: true });
    assert.deepEqual(api.tabs, session.tabs.map((t) => t.tabId));
    assert.deepEqual(api.searchTabs, [session.tabs[1].tabId]);
    assert.equal(api.focusedTab, session.tabs[0].tabId);

    // Seed 001.
    const [callSessionId] = await runSeed(page, SEED_001);
    assert.equal(callSessionId, 'session-id-2');
    workspace = await page.evaluate(() => Microsoft.CIFramework.getWorkspace());
    assert.equal(workspace.focusedSessionId, callSessionId, 'the new session takes focus');
    session = workspace.sessions.find((s) => s.sessionId === callSessionId);
    assert.equal(session.title, 'Call from Contoso');
    assert.equal(session.templateName, 'CallSessionTemplate');
    assert.deepEqual(session.tabs.map((t) => [t.title, t.isAnchor]), [['Call', true], ['Search: Contoso', false]]);
    assert.deepEqual(workspace.sessions.map((s) => [s.sessionId, s.title, s.isFocused]), [
      ['session-id-0', 'Home', false],
      [chatSessionId, 'Chat with Contoso', false],
      [callSessionId, 'Call from Contoso', true],
    ]);

    // onSessionSwitched: into 000's session, then out of it and into 001's (both spellings).
    const switched = (await recorded(page, 'onSessionSwitched')).map((e) => [e.data.sessionId, e.data.focussed, e.data.focused]);
    assert.deepEqual(switched, [
      [chatSessionId, true, true],
      [chatSessionId, false, false],
      [callSessionId, true, true],
    ]);
    const changes = (await recorded(page, 'hotline.workspaceChanged')).map((e) => e.data.type);
    assert.ok(changes.includes('sessionCreated') && changes.includes('tabCreated'), changes.join());
  });

  test('002: getConversations returns the agent\'s waiting conversations, newest first', async () => {
    const agent = await world.cifPage('seed agent');
    await signIn(agent, world.server, SEED_AGENT);
    assert.equal(await agent.evaluate(() => Microsoft.Omnichannel.getAgentId()), SEED_AGENT.username);

    // Four customers. The seed agent takes three; the first two customers then go away
    // (their pages close), which makes those conversations Waiting (statuscode 3).
    const customers = [];
    for (const [username, subject] of [['Wendy', 'Refund'], ['Walt', 'Invoice'], ['Ada', 'Active'], ['Quinn', 'Queued']]) {
      customers.push(await customerChat(world, { username, subject }));
      await sleep(20); // distinct createdon times
    }
    const queue = await pollConversations(
      agent,
      { agentId: SEED_AGENT.username, includeQueue: true, status: [1], attributes: ['msdyn_title'] },
      (records) => records.length === 4,
    );
    const idOf = Object.fromEntries(queue.map((r) => [r.msdyn_title.split(':')[0], r.msdyn_ocliveworkitemid]));
    for (const name of ['Wendy', 'Walt', 'Ada']) {
      await agent.evaluate((id) => Microsoft.Omnichannel.openConversation(id), idOf[name]);
    }
    await customers[0].close();
    await customers[1].close();
    await pollConversations(
      agent,
      { agentId: SEED_AGENT.username, status: [3] },
      (records) => records.length === 2,
      20_000,
    );

    // Seed 002, verbatim.
    const [label, result] = await runSeed(agent, SEED_002);
    assert.equal(label, 'result is as:');
    assert.ok(Array.isArray(result), `an array of records: ${JSON.stringify(result)}`);
    assert.deepEqual(result.map((r) => r.msdyn_ocliveworkitemid), [idOf.Walt, idOf.Wendy], 'waiting ones only, newest first');
    for (const record of result) {
      for (const attribute of [...DEFAULT_ATTRIBUTES, 'msdyn_title', 'msdyn_channel']) {
        assert.ok(attribute in record, `${attribute} in ${JSON.stringify(record)}`);
      }
      assert.equal(record.statuscode, 3);
      assert.equal(record['statuscode@OData.Community.Display.V1.FormattedValue'], 'Waiting');
      assert.equal(record.msdyn_channel, 192360000, 'Live chat');
      assert.match(record.msdyn_lastsessionid, new RegExp(`^${record.msdyn_ocliveworkitemid}-\\d+$`));
      assert.equal(typeof record.msdyn_liveworkstreamid, 'string');
      assert.ok(!Number.isNaN(Date.parse(record.createdon)), record.createdon);
      assert.equal('subject' in record, false, 'nothing that was not asked for');
      assert.equal('msdyn_activeagentid' in record, false);
    }
    assert.deepEqual(result.map((r) => r.msdyn_title), ['Walt: Invoice', 'Wendy: Refund']);
    assert.ok(Date.parse(result[0].createdon) >= Date.parse(result[1].createdon));

    // Another agent asking the same for itself gets nothing of the seed agent's.
    const other = await world.cifPage('agent2');
    await signIn(other, world.server, AGENTS[1]);
    const mine = await other.evaluate(
      (agentId) => Microsoft.Omnichannel.getConversations({ agentId, status: [3] }),
      AGENTS[1].username,
    );
    assert.deepEqual(mine, []);
  });
});
