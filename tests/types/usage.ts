// Every public call of the npm package, with every option, payload field and result, as a
// TypeScript user writes them. Never run: `tsc -p tests/types` (scripts/test, after the wasm
// build) type-checks it against pkg/hotline.d.ts, imported by the package's name through
// package.json `exports`, as an installed package is. `@ts-expect-error` lines check that the
// types refuse what the SDK refuses; the `NoAny` checks that no exported call takes or gives
// `any` (an export added without `unchecked_param_type` / `unchecked_return_type` fails here).

import init, {
  chat,
  initSync,
  Microsoft,
  version,
  type AgentConnectedEvent,
  type AgentConversation,
  type AgentDisconnectedEvent,
  type AgentTypingEvent,
  type ChatError,
  type ChatPromise,
  type CIFramework,
  type CifError,
  type CifEventName,
  type CifHandler,
  type CifInitializeOptions,
  type CifSessionInfo,
  type ConnectionEvent,
  type ConversationEndedEventData,
  type ConversationMessageEventData,
  type ConversationRecord,
  type ConversationTranscript,
  type ConversationTypingEventData,
  type GetConversationsInput,
  type GmsTranscriptEvent,
  type InitOutput,
  type JsonValue,
  type MessageReceivedEvent,
  type Omnichannel,
  type PanelMode,
  type PresenceChangeEventData,
  type QueueChangedEventData,
  type RawEvent,
  type RestoreOptions,
  type RestTransport,
  type SavedChatState,
  type SendBoxEventData,
  type SentMessage,
  type Session,
  type SessionClosedEventData,
  type SessionEndedEvent,
  type SessionErrorEvent,
  type SessionSwitchedEventData,
  type StartOptions,
  type StateStorage,
  type TemplatesDefinition,
  type Transport,
  type TransportResult,
  type Transports,
  type Unsubscribe,
  type WorkspaceChangedEventData,
  type WorkspaceSnapshot,
} from 'hotline';
import 'hotline/globals';

// ---- helpers ----------------------------------------------------------------------------------

type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type AnyIn<T extends readonly unknown[]> = true extends { [K in keyof T]: IsAny<T[K]> }[number] ? true : false;
/** The methods of `T` that take or return `any`. */
type MethodsWithAny<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R
    ? IsAny<R> extends true
      ? K
      : AnyIn<A> extends true
        ? K
        : never
    : never;
}[keyof T];
function assertType<T>(_value: T): void {}
const check = <T extends true>(): T => true as T;

// No exported call takes or gives `any` (wasm-bindgen's default for JsValue).
check<Equal<MethodsWithAny<Session>, never>>();
check<Equal<MethodsWithAny<CIFramework>, never>>();
check<Equal<MethodsWithAny<Omnichannel>, never>>();
check<Equal<MethodsWithAny<Transports>, never>>();
check<Equal<MethodsWithAny<typeof chat>, never>>();
check<Equal<MethodsWithAny<typeof Microsoft>, never>>();
check<Equal<IsAny<typeof chat.transports>, false>>();

// ---- loading ----------------------------------------------------------------------------------

export async function load(): Promise<void> {
  const exports: InitOutput = await init();
  assertType<WebAssembly.Memory>(exports.memory);
  await init({ module_or_path: new URL('hotline_bg.wasm', import.meta.url) });
  await init({ module_or_path: fetch('/hotline_bg.wasm') });
  initSync({ module: new Uint8Array(0) });
  assertType<string>(version());
}

// ---- the customer chat --------------------------------------------------------------------------

const storage: StateStorage = {
  read(): SavedChatState | null {
    const text = sessionStorage.getItem('chat');
    return text ? (JSON.parse(text) as SavedChatState) : null;
  },
  write(state) {
    if (state === null) sessionStorage.removeItem('chat');
    else {
      const { sessionId, chatServerUrl, service, secureKey, userId, alias, lastIndex, transport, savedAt } = state;
      assertType<string>(sessionId + chatServerUrl + service + secureKey + userId + alias + transport);
      assertType<number>(lastIndex + savedAt);
      sessionStorage.setItem('chat', JSON.stringify(state));
    }
  },
};

const startOptions: StartOptions = {
  serverUrl: 'http://127.0.0.1:8080',
  username: 'Ann',
  subject: 'Billing',
  userData: { plan: 'gold', referrer: null, visits: 3 },
  service: 'customer-support',
  maxOfflineDuration: 30,
  storage: 'localStorage',
  stateStorage: storage,
  disableWebSockets: true,
  logger: console.log,
};

export function wire(session: Session): Unsubscribe[] {
  assertType<string>(session.sessionId);
  const unsubscribe: Unsubscribe[] = [
    session.onAgentConnected((e: AgentConnectedEvent) => {
      const id: string | number | null = e.party.id;
      assertType<string>(e.party.name);
      if (e.party.type === 'Agent' || e.party.type === 'Client' || e.party.type === 'External') void id;
      assertType<number | undefined>(e.index);
      assertType<number>(e.timestamp);
      assertType<boolean>(e.restored);
    }),
    session.onAgentDisconnected((e: AgentDisconnectedEvent) => {
      assertType<string>(e.party.name + e.party.type);
      assertType<number>(e.timestamp);
      assertType<boolean>(e.restored);
    }),
    session.onAgentTyping((e: AgentTypingEvent) => {
      assertType<boolean>(e.isTyping);
      assertType<string>(e.party.name);
      assertType<number | undefined>(e.index);
      // @ts-expect-error typing events are never replayed: no `restored`
      void e.restored;
    }),
    session.onMessageReceived((e: MessageReceivedEvent) => {
      assertType<string>(e.content.text);
      if (e.content.type === 'url' || e.content.type === 'notice' || e.content.type === 'text') void 0;
      const who = e.party.type.agent ? 'agent' : e.party.type.client ? 'me' : e.party.type.external ? 'bot' : 'other';
      assertType<true | undefined>(e.party.type.supervisor);
      assertType<string>(who + e.party.name);
      assertType<string | number | null>(e.party.id);
      assertType<number>(e.timestamp);
      assertType<number | undefined>(e.index);
      assertType<boolean>(e.restored);
    }),
    session.onSessionEnded((e: SessionEndedEvent) => {
      if (e.reason.agent) assertType<true>(e.reason.agent);
      else if (e.reason.leaveRequest) assertType<undefined>(e.reason.error);
      else assertType<true>(e.reason.error);
      assertType<boolean>(e.restored);
    }),
    session.onError((e: SessionErrorEvent) => {
      assertType<number>(e.error.code);
      assertType<string>(e.error.description);
      assertType<boolean>(e.restored);
    }),
    session.onInterrupted((e: ConnectionEvent) => assertType<number>(e.timestamp)),
    session.onContinued((e) => assertType<number>(e.timestamp)),
  ];
  // @ts-expect-error callbacks get the event's own payload
  session.onSessionEnded((e: MessageReceivedEvent) => void e);
  return unsubscribe;
}

export async function commands(session: Session): Promise<void> {
  const sent: ChatPromise<void> = session.sendMessage('Hello!');
  sent.done(() => {}).fail((error: ChatError) => {
    assertType<number>(error.code);
    assertType<string>(error.description);
    assertType<number>(error.error.code);
    assertType<string>(error.error.description);
    assertType<'HotlineChatError'>(error.name);
    assertType<string>(error.message);
  });
  await session.sendMessage({ message: 'https://example.com', type: 'url' });
  await session.sendMessage({ message: 'plain' });
  // @ts-expect-error only text and url messages
  await session.sendMessage({ message: 'x', type: 'image' });
  await session.sendTyping({ isTyping: true, typedText: 'Hel' });
  await session.sendTyping({ isTyping: false });
  await session.sendTyping();

  const { transcript } = await session.getTranscript({ fromIndex: 0 });
  for (const event of transcript) {
    assertType<string>(event.type);
    assertType<number | null | undefined>(event.index);
    assertType<number | null | undefined>(event.timestamp);
    assertType<string | number | null | undefined>(event.party?.id);
    assertType<string | null | undefined>(event.party?.name);
    assertType<string | null | undefined>(event.party?.type);
    switch (event.type) {
      case 'MessageReceived':
        assertType<string | null | undefined>(event.content?.text);
        assertType<string | null | undefined>(event.content?.type);
        break;
      case 'AgentTyping':
        assertType<boolean | null | undefined>(event.isTyping);
        break;
      case 'SessionEnded':
        assertType<1 | 2 | 3 | null | undefined>(event.reason?.id);
        break;
      default:
        assertType<'AgentConnected' | 'AgentDisconnected'>(event.type);
    }
  }
  await session.getTranscript();

  await session.setUserData({ orderId: 'A-17', removed: null });
  const { userData } = await session.getUserData('orderId');
  assertType<JsonValue | undefined>(userData['orderId']);
  await session.deleteUserData('orderId');
  await session.sendCustomNotice('{"kind":"cobrowse"}');
  await session.updateNickname('Ann B.');
  await session.leave();
  // @ts-expect-error getUserData takes one key
  await session.getUserData(['a', 'b']);
}

export function start(): void {
  chat.startSession(startOptions).done(wire).fail((e) => console.log(e.error.description));
  chat.startSession({ chatServerUrl: 'https://chat.example.com/genesys/cometd' });
  // @ts-expect-error a server URL or a transport is required
  chat.startSession({ username: 'Ann' });
  // @ts-expect-error storage is 'cookie' or 'localStorage'
  chat.startSession({ serverUrl: 'x', storage: 'sessionStorage' });

  const restoreOptions: RestoreOptions = { maxOfflineDuration: 10, cookieMaxAge: 10 };
  chat
    .restoreSession(restoreOptions)
    .done(wire)
    .fail(() => chat.startSession(startOptions).done(wire));
  chat.restoreSession();
  // Both options objects are the same shape: one object serves both calls.
  chat.restoreSession(startOptions);

  const rest: RestTransport = chat.transports.rest({ serverUrl: 'http://127.0.0.1:8080', service: 'sales' });
  assertType<'gms-rest'>(rest.hotlineTransport);
  assertType<string>(rest.serverUrl + rest.service);
  chat.startSession({ transport: rest, username: 'Ann' });
  chat.startSession({ transport: chat.transports.rest({ serverUrl: 'http://127.0.0.1:8080' }) });
}

/** A promise in async/await code. */
export async function awaited(): Promise<Session> {
  try {
    return await chat.restoreSession({ storage: 'localStorage' });
  } catch (error) {
    assertType<number>((error as ChatError).code);
    return chat.startSession({ serverUrl: location.origin });
  }
}

// ---- a custom transport (GWE's contract) ------------------------------------------------------

export function customTransport(): Transport {
  const pushed: Array<(event: never) => void> = [];
  const jqueryLike = <T,>(value: T): TransportResult<T> => ({
    done(callback: (value: T) => void) {
      callback(value);
      return this;
    },
    fail() {
      return this;
    },
  });
  const transport: Transport = {
    init: () => Promise.resolve(),
    startSession: ({ username, userData, source, subject }) => {
      assertType<string>(username);
      assertType<JsonValue>(userData);
      assertType<JsonValue>(source);
      assertType<string | undefined>(subject);
      return Promise.resolve({ sessionId: 'custom-1' });
    },
    sendMessage: ({ sessionId, message, type }) => {
      assertType<string>(sessionId + message);
      assertType<'text' | 'url'>(type);
      return jqueryLike(undefined);
    },
    sendTyping: ({ isTyping, typedText }) => {
      assertType<boolean>(isTyping);
      assertType<string | null | undefined>(typedText);
    },
    getTranscript: ({ fromIndex }) => {
      assertType<number>(fromIndex);
      const events: RawEvent[] = [
        { type: 'AgentConnected', index: 1, timestamp: Date.now(), party: { id: 1, name: 'Ann', type: 'Client' } },
        { type: 'MessageReceived', index: 2, content: { text: 'Hi', type: 'text' }, party: { id: 2, name: 'Bob', type: 'Agent' } },
        { type: 'AgentTyping', index: 3, isTyping: true },
        { type: 'SessionEnded', index: 4, reason: { id: 2 } },
      ];
      return { transcript: events };
    },
    leaveSession: () => Promise.resolve({ transcript: [] }),
    setUserData: ({ userData }) => assertType<JsonValue>(userData),
    getUserData: ({ keys }) => ({ userData: { [keys[0] ?? 'none']: 1 } }),
    deleteUserData: ({ keys }) => assertType<string[]>(keys),
    sendCustomNotice: ({ message }) => assertType<string>(message),
    updateNickname: ({ nickname }) => assertType<string>(nickname),
    onAgentConnected(callback) {
      callback({ index: 5, party: { name: 'Bob', type: 'Agent' } });
      pushed.push(callback);
    },
    onAgentDisconnected(callback) {
      callback({ party: { name: 'Bob', type: 'Agent' } });
    },
    onAgentTyping(callback) {
      callback({ isTyping: false });
    },
    onMessageReceived(callback) {
      callback({ type: 'MessageReceived', content: { text: 'Hello' } });
      // @ts-expect-error the pushed event is a MessageReceived one
      callback({ type: 'SessionEnded' });
    },
    onSessionEnded(callback) {
      callback({ reason: { id: 1 } });
    },
    onError(callback) {
      callback({ error: { code: 103, description: 'down' } });
      callback({ message: 'down' });
    },
  };
  chat.startSession({ transport, username: 'Ann' });
  // @ts-expect-error a transport must have startSession
  chat.startSession({ transport: { init: () => undefined } });
  return transport;
}

// ---- the agent console: Microsoft.CIFramework -------------------------------------------------

export async function agentConsole(): Promise<void> {
  const { CIFramework: cif, Omnichannel: omni } = Microsoft;
  const templates: TemplatesDefinition = {
    sessionTemplates: [
      {
        name: 'contoso_chat',
        type: 'Generic',
        title: 'Chat with {customer}',
        anchorTab: 'contoso_conversation',
        additionalTabs: ['contoso_search'],
        tags: ['chat'],
        panelMode: 'docked',
        applyTitleToAnchorTab: false,
      },
      { uniqueName: 'contoso_case', type: 'Entity', entity: 'incident', anchorTab: 'contoso_record', panelMode: 1 },
    ],
    applicationTabTemplates: [
      {
        name: 'contoso_conversation',
        pageType: 'entityrecord',
        title: 'Conversation',
        tags: [],
        parameters: {
          entityName: { type: 'string', value: 'msdyn_ocliveworkitem', isRuntime: false },
          entityId: { type: 'string', value: '{conversationId}', isRuntime: true },
          data: 'plain',
        },
      },
      { name: 'contoso_search', pageType: 'search', parameters: '{"searchText":"{customer}"}' },
    ],
  };
  const options: CifInitializeOptions = {
    serverUrl: location.origin,
    username: 'agent',
    password: 'hotline',
    templates,
    logger: (line) => console.debug(line),
  };
  assertType<true>(await cif.initialize(options));
  await cif.initialize({ serverUrl: location.origin, token: 'T', agentId: 'agent' });
  // @ts-expect-error serverUrl is required
  await cif.initialize({ username: 'agent', password: 'hotline' });

  try {
    await cif.getSession('nope');
  } catch (error) {
    const e = error as CifError;
    assertType<string>(e.message + e.msdyn_name);
    assertType<number>(e.errorCode);
  }

  const handler: CifHandler = (text) => {
    const data: SessionSwitchedEventData = JSON.parse(text);
    assertType<string>(data.sessionId);
    assertType<boolean>(data.focused && data.focussed);
    assertType<JsonValue>(data.context);
    return Promise.resolve();
  };
  const names: CifEventName[] = ['onSessionSwitched', 'onSessionClosed', 'onPresenceChange', 'onmodechanged', 'onsizechanged', 'my.custom'];
  for (const name of names) assertType<true>(await cif.addHandler(name, handler));
  await cif.addHandler('onSessionClosed', (text) => {
    const data: SessionClosedEventData = JSON.parse(text);
    return data.sessionId + JSON.stringify(data.context);
  }, 'corr-1');
  await cif.addHandler('onPresenceChange', (text) => {
    const { presenceId, presenceInfo }: PresenceChangeEventData = JSON.parse(text);
    const { basePresenceStatus, presenceColor, presenceText } = presenceInfo;
    return presenceId + presenceInfo.presenceId + basePresenceStatus + presenceColor + presenceText;
  });
  await cif.addHandler('onmodechanged', (text) => assertType<PanelMode>(JSON.parse(text) as PanelMode));
  await cif.addHandler('onsizechanged', (text) => Number(text));
  assertType<boolean>(await cif.removeHandler('onSessionSwitched', handler, 'corr-2'));
  await cif.raiseEvent('my.custom', { any: 'payload' }, 'corr-3');
  await cif.raiseEvent('my.custom', 'text as it is');
  await cif.raiseEvent('my.custom');

  assertType<boolean>(await cif.canCreateSession());
  const sessionId: string = await cif.createSession(
    { templateName: 'contoso_chat', templateParameters: { customer: 'Ann', conversationId: 'c1' }, context: { a: 1 }, customerName: 'Ann', conversationId: 'c1' },
    'corr-4',
  );
  await cif.createSession({ templateTag: 'chat', templateParameters: '{"customer":"Ann"}' });
  await cif.createSession('{"templateName":"contoso_chat"}');
  const info: CifSessionInfo = await cif.getSession(sessionId, 'corr-5');
  assertType<string>(info.sessionId);
  assertType<string | null>(info.conversationId);
  assertType<JsonValue>(info.context);
  assertType<boolean>(info.isFocused && info.focused);
  assertType<string | null>(await cif.getFocusedSession());
  assertType<string[]>(await cif.getAllSessions('corr-6'));
  assertType<null>(await cif.requestFocusSession(sessionId, 3, 'corr-7'));
  await cif.requestFocusSession(sessionId);
  assertType<string>(await cif.setSessionTitle({ sessionId, customer: 'Ann B.' }, 'corr-8'));
  await cif.setSessionTitle({ title: 'Plain title' });
  await cif.notifyNewActivity(sessionId, 2, 'corr-9');
  await cif.notifyKpiBreach(sessionId, false, { kpi: 'wait' }, 'corr-10');
  await cif.notifyKpiBreach(sessionId, true);
  const bag = await cif.updateContext({ orderId: 'A-17' }, sessionId, false, 'corr-11');
  assertType<JsonValue | undefined>(bag['orderId']);
  await cif.updateContext(['orderId'], '', true);
  await cif.updateContext({ orderId: null });
  await cif.focusSession(sessionId);
  assertType<boolean>(await cif.closeSession(sessionId));

  const tabId: string = await cif.createTab(
    { templateName: 'contoso_search', templateParameters: { searchText: 'Ann' }, isFocused: true },
    'corr-12',
  );
  await cif.createTab('{"templateName":"contoso_search"}');
  assertType<string | null>(await cif.getFocusedTab('corr-13'));
  assertType<string[]>(await cif.getTabs('contoso_search', null, 'corr-14'));
  await cif.getTabs(null, ['chat', 'search']);
  await cif.getTabs(undefined, 'chat');
  await cif.getTabs();
  await cif.focusTab(tabId, 'corr-15');
  assertType<boolean>(await cif.refreshTab(tabId, 'corr-16'));
  assertType<string>(await cif.setTabTitle(tabId, { title: 'Search', customer: 'Ann' }, 'corr-17'));
  await cif.setTabTitle(tabId, '{"title":"Search"}');
  assertType<boolean>(await cif.closeTab(tabId, 'corr-18'));

  assertType<boolean>(await cif.setPresence('Busy', 'corr-19'));
  assertType<string>(await cif.getPresence('corr-20'));
  await cif.setMode(0, 'corr-21');
  // @ts-expect-error the mode is 0, 1 or 2
  await cif.setMode(3);
  const mode: PanelMode = await cif.getMode('corr-22');
  await cif.setWidth(420, 'corr-23');
  assertType<number>(await cif.getWidth('corr-24'));
  void mode;

  const workspace: WorkspaceSnapshot = cif.getWorkspace();
  assertType<string>(workspace.focusedSessionId + workspace.presence);
  assertType<PanelMode>(workspace.mode);
  for (const s of workspace.sessions) {
    assertType<string>(s.sessionId + s.title + s.templateName);
    assertType<string | null>(s.conversationId);
    assertType<string | null>(s.customerName);
    assertType<string | null>(s.focusedTabId);
    assertType<boolean>(s.isHome && s.isFocused && s.focused && s.focusRequested && s.kpiBreach);
    assertType<number>(s.unread);
    assertType<number | null>(s.messagesCount);
    assertType<JsonValue>(s.kpiDetails);
    assertType<JsonValue>(s.context);
    for (const t of s.tabs) {
      assertType<string>(t.tabId + t.title + t.templateName + t.pageType);
      assertType<JsonValue | undefined>(t.parameters['entityId']);
      assertType<string[]>(t.tags);
      assertType<boolean>(t.isAnchor && t.isFocused);
    }
  }

  // Hotline's live events, as JSON text.
  await cif.addHandler('hotline.queueChanged', (text) => {
    const e: QueueChangedEventData = JSON.parse(text);
    return e.conversationId + e.status + conversationFields(e.conversation);
  });
  await cif.addHandler('hotline.conversationMessage', (text) => {
    const e: ConversationMessageEventData = JSON.parse(text);
    return e.conversationId + e.sessionId + transcriptFields(e.message);
  });
  await cif.addHandler('hotline.conversationTyping', (text) => {
    const e: ConversationTypingEventData = JSON.parse(text);
    return e.conversationId + e.sessionId + String(e.isTyping) + String(e.text);
  });
  await cif.addHandler('hotline.conversationEnded', (text) => {
    const e: ConversationEndedEventData = JSON.parse(text);
    return e.conversationId + e.sessionId + e.status;
  });
  await cif.addHandler('hotline.sendBox', (text) => {
    const e: SendBoxEventData = JSON.parse(text);
    return e.conversationId + e.sessionId + e.message;
  });
  await cif.addHandler('hotline.workspaceChanged', (text) => {
    const e: WorkspaceChangedEventData = JSON.parse(text);
    if (e.type === 'tabCreated' || e.type === 'sessionFocused') return e.sessionId + (e.tabId ?? '');
    return e.type;
  });

  await omnichannel(omni);
}

function conversationFields(c: AgentConversation): string {
  const links = c.links;
  return [
    c.chatId,
    c.status,
    c.service,
    c.agentIds?.join(','),
    c.lastIndex,
    c.chatSessionId,
    c.transferTo,
    links?.customer?.entityName,
    links?.customer?.entityId,
    links?.case?.entityId,
  ].join(' ');
}

function transcriptFields(m: GmsTranscriptEvent): string {
  return [m.index, m.type, m.from.nickname, m.from.participantId, m.from.type, m.text, m.messageType, m.utcTime, JSON.stringify(m.userData)].join(' ');
}

// ---- Microsoft.Omnichannel ---------------------------------------------------------------------

async function omnichannel(omni: Omnichannel): Promise<void> {
  const agentId = await omni.getAgentId();
  if (agentId === null) return;
  const input: GetConversationsInput = {
    agentId,
    status: [1, '2', '3,5'],
    createdBeforeDays: 0,
    attributes: ['msdyn_title', 'subject', 'msdyn_activeagentid'],
    orderBy: [{ attributeName: 'createdon', descending: true }],
    includeQueue: true,
  };
  const records: ConversationRecord[] = await omni.getConversations(input, 'corr-25');
  await omni.getConversations({ agentID: agentId, status: 2, attributes: 'msdyn_title' });
  // @ts-expect-error status codes are numbers or numeric text
  await omni.getConversations({ agentId, status: [true] });
  const record = records[0];
  if (!record) return;
  assertType<string>(record.msdyn_ocliveworkitemid);
  assertType<string | null>(record.msdyn_liveworkstreamid);
  assertType<string | null>(record.msdyn_lastsessionid);
  assertType<number>(record.statuscode);
  assertType<string | null>(record.createdon);
  assertType<JsonValue | undefined>(record['msdyn_title']);
  assertType<JsonValue | undefined>(record['statuscode@OData.Community.Display.V1.FormattedValue']);

  const sessionId: string = await omni.openConversation(record.msdyn_ocliveworkitemid);
  await omni.openConversation(record.msdyn_ocliveworkitemid, record.msdyn_lastsessionid ?? undefined, record.msdyn_liveworkstreamid ?? undefined);
  assertType<string | null>(await omni.getConversationId());
  assertType<true>(await omni.linkToConversation('contact', '6c5b…', record.msdyn_ocliveworkitemid));
  await omni.linkToConversation('incident', 'case-1');
  await omni.unlinkFromConversation('incident', 'case-1', null);
  await omni.unlinkFromConversation('contact');
  const toSendBox: true | SentMessage = await omni.sendMessageToConversation('Suggested reply');
  const sent = await omni.sendMessageToConversation('Hello, how can I help?', false, record.msdyn_ocliveworkitemid);
  if (sent !== true) assertType<number>(sent.index), assertType<string>(sent.chatId);
  await omni.sendMessageToConversation({ content: 'As an object' }, false);
  await omni.sendMessageToConversation({ text: 'As an object' });
  const typing = await omni.sendTypingToConversation(true);
  assertType<boolean>(typing.isTyping);
  assertType<string>(typing.chatId);
  const transcript: ConversationTranscript = await omni.getTranscript(record.msdyn_ocliveworkitemid);
  assertType<string>(transcript.chatId);
  assertType<number>(transcript.nextPosition);
  transcript.messages.forEach(transcriptFields);
  await omni.getTranscript();
  const ended = await omni.endConversation();
  conversationFields(ended.conversation);
  await omni.endConversation(record.msdyn_ocliveworkitemid);
  void sessionId;
  void toSendBox;
}

// ---- the globals mode (hotline/globals) -------------------------------------------------------

export async function globalsMode(): Promise<void> {
  window.addEventListener('hotline:ready', (event: Event) => void event);
  window.addEventListener('CIFInitDone', () => void window.Microsoft.CIFramework.getWorkspace());
  const readyChat = await window.hotlineReady;
  assertType<typeof chat>(readyChat);
  window.chat.startSession({ serverUrl: location.origin }).done((session) => assertType<string>(session.sessionId));
  const cif: CIFramework = window.Microsoft.CIFramework;
  const omni: Omnichannel = window.Microsoft.Omnichannel;
  assertType<string | null>(await omni.getAgentId());
  await cif.getMode();
}
