// Hand-written TypeScript types for what wasm-bindgen cannot express: option objects, event
// payloads, results and errors. src/js/mod.rs puts this text, as it is, into the generated
// pkg/hotline.d.ts (a `typescript_custom_section`), where the classes it names (`Session`, …)
// are declared; the exported methods name these types with `unchecked_param_type` /
// `unchecked_return_type`. tests/types/usage.ts exercises every one of them (`tsc --noEmit`).

// wasm-bindgen declares `[Symbol.dispose](): void` on every class: this lets projects whose
// `lib` predates explicit resource management (`esnext.disposable`) compile without
// `skipLibCheck` (it merges with that lib's declaration where there is one).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

// ---- JSON -----------------------------------------------------------------------------------

/** A value that went through JSON: what the SDK hands back for data it did not define. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

// ---- Promises and errors (customer chat) ----------------------------------------------------

/**
 * What every `chat` and `Session` call returns: a real `Promise` that also has GWE's chainable
 * `done(fn)` and `fail(fn)`, each returning the same promise. Rejections are {@link ChatError}s.
 */
export interface ChatPromise<T> extends Promise<T> {
  /** Calls `callback` with the value once the promise resolves; returns this promise. */
  done(callback: (value: T) => void): ChatPromise<T>;
  /** Calls `callback` with the error once the promise rejects; returns this promise. */
  fail(callback: (error: ChatError) => void): ChatPromise<T>;
}

/** `{code, description}`: a GWE error, as in `fail` callbacks and `onError` payloads. */
export interface ChatErrorDetail {
  /** The GWE error code (0 for errors that have none, e.g. no saved state to restore). */
  code: number;
  /** What went wrong, readable. */
  description: string;
}

/**
 * The `Error` a chat promise rejects with (`name` is `'HotlineChatError'`). Misuse (a missing
 * server URL, a command after the session ended) throws a `TypeError` at once instead.
 */
export interface ChatError extends Error, ChatErrorDetail {
  name: 'HotlineChatError';
  /** The same `{code, description}`, where GWE's `fail` callbacks read it. */
  error: ChatErrorDetail;
}

// ---- Options --------------------------------------------------------------------------------

/**
 * GWE's `stateStorage`: where the chat's state is kept between page loads instead of the
 * `gcState` cookie or `localStorage`. `read()` returns what `write` stored last (or nothing);
 * `write(null)` clears it. Both are called synchronously.
 */
export interface StateStorage {
  read(): SavedChatState | null | undefined;
  write(state: SavedChatState | null): void;
}

/** What the SDK saves to restore a chat (treat it as opaque: store and return it as it is). */
export interface SavedChatState {
  sessionId: string;
  chatServerUrl: string;
  service: string;
  secureKey: string;
  userId: string;
  alias: string;
  lastIndex: number;
  transport: string;
  /** Milliseconds since the Unix epoch. */
  savedAt: number;
}

/** The options `startSession` and `restoreSession` share. */
export interface SessionOptions {
  /** The server, e.g. `'https://chat.example.com'` (a URL ending in `/cometd` is accepted). */
  serverUrl?: string;
  /** An alias of `serverUrl` (GWE's name); `serverUrl` wins when both are given. */
  chatServerUrl?: string;
  /** A transport of your own (GWE's contract), or `chat.transports.rest({serverUrl})`. */
  transport?: Transport | RestTransport;
  /** The visitor's name as the agent sees it (default `'User'`). */
  username?: string;
  subject?: string;
  /**
   * Data attached to the chat, merged over the defaults `source: 'web'`, `pageTitle`, `url`
   * and `referrer`; a `null` value removes a default.
   */
  userData?: Record<string, unknown>;
  /** The GMS chat service (default `'customer-support'`). */
  service?: string;
  /** How long, in seconds, a chat may be left and still restored (default 5). */
  maxOfflineDuration?: number;
  /** An alias of `maxOfflineDuration`. */
  cookieMaxAge?: number;
  /** Where the default state storage keeps the state (default `'cookie'`). */
  storage?: 'cookie' | 'localStorage';
  /** Your own state storage (wins over `storage`). */
  stateStorage?: StateStorage;
  /** Bayeux over long-polling only, no WebSocket. */
  disableWebSockets?: boolean;
  /** Called with the SDK's log lines, e.g. `console.log`. */
  logger?: (message: string) => void;
}

/** `chat.startSession(options)`: a server URL or a transport is required. */
export type StartOptions = SessionOptions &
  ({ serverUrl: string } | { chatServerUrl: string } | { transport: Transport | RestTransport });

/** `chat.restoreSession(options)`: the server comes from the saved state. */
export type RestoreOptions = SessionOptions;

/** `chat.transports.rest(options)`. */
export interface RestTransportOptions {
  serverUrl: string;
  /** Default `'customer-support'`. */
  service?: string;
}

/** What `chat.transports.rest(…)` returns: pass it as `options.transport`. */
export interface RestTransport {
  readonly hotlineTransport: 'gms-rest';
  readonly serverUrl: string;
  readonly service: string;
}

// ---- Custom transports (GWE's transport contract) -------------------------------------------

/** A jQuery-style promise, as older GWE transports return. */
export interface DoneFailThenable<T> {
  done(callback: (value: T) => void): unknown;
  fail(callback: (error: unknown) => void): unknown;
}

/** What a transport method may return: a value, a Promise, or a `{done, fail}` promise. */
export type TransportResult<T> = T | PromiseLike<T> | DoneFailThenable<T>;

/**
 * How a transport fails: reject with `{error: {code, description}}` (or `{code, description}`,
 * or `{message}`); the session's promise then rejects with that code and description.
 */
export type TransportFailure =
  | { error: Partial<ChatErrorDetail> & { message?: string } }
  | (Partial<ChatErrorDetail> & { message?: string });

/** The party of a raw transport event. `type` is `'Agent'`, `'Client'`, `'External'`, … */
export interface RawParty {
  id?: string | number | null;
  name?: string | null;
  type?: PartyTypeName | null;
}

/** `content` of a raw `MessageReceived` event. */
export interface RawContent {
  text?: string | null;
  type?: ContentType | null;
}

interface RawEventBase {
  /** The transcript index (1-based for GMS). */
  index?: number | null;
  /** Milliseconds since the Unix epoch. */
  timestamp?: number | null;
  party?: RawParty | null;
}

/**
 * A raw event (GWE transport contract): what a custom transport pushes through its `on…`
 * registrations (where `type` may be left out) and returns from `getTranscript`, and what
 * `session.getTranscript` resolves with.
 */
export type RawEvent =
  | (RawEventBase & { type: 'AgentConnected' })
  | (RawEventBase & { type: 'AgentDisconnected' })
  | (RawEventBase & { type: 'AgentTyping'; isTyping?: boolean | null })
  | (RawEventBase & { type: 'MessageReceived'; content?: RawContent | null })
  | (RawEventBase & { type: 'SessionEnded'; reason?: { id?: 1 | 2 | 3 | null } | null });

/** A raw event as a transport pushes it through an `on…` callback: `type` may be left out. */
export type PushedRawEvent<K extends RawEvent['type']> = Omit<Extract<RawEvent, { type: K }>, 'type'> & {
  type?: K;
};

/** `transport.startSession(parameters)`. */
export interface TransportStartParameters {
  username: string;
  userData: JsonObject;
  source: JsonValue;
  subject?: string;
}

/** Every command argument carries the session id `startSession` resolved with. */
export interface TransportCommand {
  sessionId: string;
}

/**
 * A transport of your own, with GWE's contract: `chat.startSession({transport})` calls
 * `init()` then `startSession(…)`, and each session command calls the method of the same
 * name. A missing method makes that command fail (code 1, unknown chat command); only
 * `startSession` is needed to start. The `on…` registrations are called once, when the
 * session is created, with the callbacks the transport calls to push events.
 */
export interface Transport {
  init?(): TransportResult<unknown>;
  startSession(parameters: TransportStartParameters): TransportResult<{ sessionId: string | number }>;
  sendMessage?(command: TransportCommand & { message: string; type: 'text' | 'url' }): TransportResult<unknown>;
  sendTyping?(command: TransportCommand & { isTyping: boolean; typedText?: string | null }): TransportResult<unknown>;
  /** Resolves with the events from `fromIndex` (0-based). */
  getTranscript?(command: TransportCommand & { fromIndex: number }): TransportResult<{ transcript: RawEvent[] }>;
  /** May resolve with the events the page has not seen yet: they are delivered first. */
  leaveSession?(command: TransportCommand): TransportResult<{ transcript?: RawEvent[] } | null | undefined | void>;
  setUserData?(command: TransportCommand & { userData: JsonObject }): TransportResult<unknown>;
  getUserData?(command: TransportCommand & { keys: string[] }): TransportResult<{ userData: JsonValue }>;
  deleteUserData?(command: TransportCommand & { keys: string[] }): TransportResult<unknown>;
  sendCustomNotice?(command: TransportCommand & { message: string }): TransportResult<unknown>;
  updateNickname?(command: TransportCommand & { nickname: string }): TransportResult<unknown>;
  onAgentConnected?(callback: (event: PushedRawEvent<'AgentConnected'>) => void): void;
  onAgentDisconnected?(callback: (event: PushedRawEvent<'AgentDisconnected'>) => void): void;
  onAgentTyping?(callback: (event: PushedRawEvent<'AgentTyping'>) => void): void;
  onMessageReceived?(callback: (event: PushedRawEvent<'MessageReceived'>) => void): void;
  onSessionEnded?(callback: (event: PushedRawEvent<'SessionEnded'>) => void): void;
  onError?(callback: (error: TransportFailure) => void): void;
}

// ---- Session commands -----------------------------------------------------------------------

/** `session.sendMessage(message)`: a text, or `{message, type}` (`'url'` for a link). */
export type OutgoingMessage = string | { message: string; type?: 'text' | 'url' | null };

/** `session.sendTyping(options)`: `isTyping` defaults to true. */
export interface TypingOptions {
  isTyping?: boolean | null;
  /** A preview of what the visitor is typing. */
  typedText?: string | null;
}

/** `session.getTranscript(options)`. */
export interface TranscriptOptions {
  /** 0-based; default 0, the whole transcript. */
  fromIndex?: number | null;
}

/** What `session.getTranscript` resolves with. */
export interface TranscriptResult {
  transcript: RawEvent[];
}

/** What `session.getUserData(key)` resolves with: `{userData: {[key]: value}}` (empty if unset). */
export interface UserDataResult {
  userData: JsonObject;
}

// ---- Session events -------------------------------------------------------------------------

/** A party's type as the server names it. */
export type PartyTypeName = 'Agent' | 'Client' | 'External' | 'Supervisor' | (string & {});

/** `content.type` of a message. */
export type ContentType = 'text' | 'url' | 'notice' | (string & {});

/** A participant, in `onAgentConnected`, `onAgentDisconnected` and `onAgentTyping` payloads. */
export interface Party {
  /** The participant id (a number for GMS; `null` when the transport gave none). */
  id: string | number | null;
  name: string;
  type: PartyTypeName;
}

/**
 * `party.type` of `onMessageReceived`: a boolean map keyed by the lower-cased type, e.g.
 * `{agent: true}`; a supervisor is `{agent: true, supervisor: true}`.
 */
export interface PartyTypeMap {
  agent?: true;
  client?: true;
  external?: true;
  supervisor?: true;
  [type: string]: true | undefined;
}

/** The participant of a message. */
export interface MessageParty {
  id: string | number | null;
  name: string;
  type: PartyTypeMap;
}

/** `onAgentConnected` (also for the visitor's own join) and `onAgentDisconnected`. */
export interface AgentConnectedEvent {
  party: Party;
  /** The transcript index; absent when the transport gave none. */
  index?: number;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  /** True for events replayed from before a `restoreSession`. */
  restored: boolean;
}

/** `onAgentDisconnected`. */
export type AgentDisconnectedEvent = AgentConnectedEvent;

/** `onAgentTyping` (live only: never replayed, never restored). */
export interface AgentTypingEvent {
  party: Party;
  isTyping: boolean;
  index?: number;
}

/** `onMessageReceived`: a message, a URL or a notice. */
export interface MessageReceivedEvent {
  content: { text: string; type: ContentType };
  timestamp: number;
  index?: number;
  restored: boolean;
  party: MessageParty;
}

/** Why a session ended: exactly one of the keys is `true`. */
export type SessionEndedReason =
  | { leaveRequest: true; agent?: undefined; error?: undefined }
  | { agent: true; leaveRequest?: undefined; error?: undefined }
  | { error: true; leaveRequest?: undefined; agent?: undefined };

/** `onSessionEnded`. */
export interface SessionEndedEvent {
  reason: SessionEndedReason;
  restored: boolean;
}

/** `onError`. */
export interface SessionErrorEvent {
  error: ChatErrorDetail;
  restored: boolean;
}

/** `onInterrupted` (the connection is lost; the SDK keeps reconnecting) and `onContinued`. */
export interface ConnectionEvent {
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
}

/** What an `on…` registration returns: call it to unsubscribe. */
export type Unsubscribe = () => void;

// ---- Microsoft.CIFramework ------------------------------------------------------------------

/**
 * The `Error` a `Microsoft.CIFramework` / `Microsoft.Omnichannel` promise rejects with.
 * `msdyn_name` is the API that failed (e.g. `'createSession'`), `errorCode` Hotline's number
 * (1 null input … 17 not initialized, 18 not signed in, 19 the server refused).
 */
export interface CifError extends Error {
  msdyn_name: string;
  errorCode: number;
}

/** A configured parameter of an application tab template. */
export interface TabTemplateParameter {
  type: 'string' | 'number' | 'boolean' | 'json' | (string & {});
  value?: JsonValue;
  isRuntime?: boolean;
}

/** A session template (`msdyn_sessiontemplate`). */
export interface SessionTemplateDefinition {
  /** The unique name (`uniqueName` is accepted too). */
  name?: string;
  uniqueName?: string;
  type?: 'Generic' | 'Entity';
  /** May contain slugs such as `{customer}`. */
  title?: string;
  anchorTab?: string;
  additionalTabs?: string[];
  tags?: string[];
  panelMode?: PanelMode | 'minimized' | 'docked' | 'hidden' | 100000000 | 100000001 | 100000002;
  applyTitleToAnchorTab?: boolean;
  /** Entity templates only. */
  entity?: string;
}

/** An application tab template. */
export interface TabTemplateDefinition {
  name?: string;
  uniqueName?: string;
  pageType: string;
  title?: string;
  tags?: string[];
  parameters?: Record<string, TabTemplateParameter | string> | string;
}

/** Session and application tab templates, laid over the server's by unique name. */
export interface TemplatesDefinition {
  sessionTemplates?: SessionTemplateDefinition[];
  applicationTabTemplates?: TabTemplateDefinition[];
}

/**
 * `Microsoft.CIFramework.initialize(options)`: signs the agent in with `username` and
 * `password` (or uses `token`), loads the templates, connects for live events, and dispatches
 * `CIFInitDone` on `window`.
 */
export interface CifInitializeOptions {
  serverUrl: string;
  username?: string;
  password?: string;
  /** A bearer token from `POST /api/v1/agents/login`, instead of `username`/`password`. */
  token?: string;
  /** The agent id that goes with `token`. */
  agentId?: string;
  /** Inline templates, over the server's. */
  templates?: TemplatesDefinition;
  logger?: (message: string) => void;
}

/** `createSession(input)`: a Generic session template by name or tag. */
export interface CreateSessionInput {
  templateName?: string;
  templateTag?: string;
  /** The values the template's slugs and tab parameters read (an object or JSON text). */
  templateParameters?: Record<string, unknown> | string;
  context?: unknown;
  customerName?: string;
  conversationId?: string;
}

/** `createTab(input)`: an application tab template in the focused session. */
export interface CreateTabInput {
  templateName: string;
  templateParameters?: Record<string, unknown> | string;
  isFocused?: boolean;
}

/** `setSessionTitle(input)`: the slugs' values; `sessionId` defaults to the focused session. */
export interface SessionTitleInput {
  sessionId?: string;
  title?: string;
  [slug: string]: unknown;
}

/** `setTabTitle(tabId, input)`: the slugs' values. */
export interface TabTitleInput {
  title?: string;
  [slug: string]: unknown;
}

/** Panel mode: 0 minimized, 1 docked, 2 hidden. */
export type PanelMode = 0 | 1 | 2;

/** `getSession(sessionId)`. */
export interface CifSessionInfo {
  sessionId: string;
  conversationId: string | null;
  context: JsonValue;
  isFocused: boolean;
  /** The same as `isFocused`. */
  focused: boolean;
}

/** A tab in {@link WorkspaceSnapshot}. */
export interface WorkspaceTab {
  tabId: string;
  title: string;
  templateName: string;
  pageType: string;
  parameters: JsonObject;
  tags: string[];
  isAnchor: boolean;
  isFocused: boolean;
}

/** A session in {@link WorkspaceSnapshot}. */
export interface WorkspaceSession extends CifSessionInfo {
  title: string;
  isHome: boolean;
  templateName: string;
  customerName: string | null;
  unread: number;
  focusRequested: boolean;
  messagesCount: number | null;
  kpiBreach: boolean;
  kpiDetails: JsonValue;
  focusedTabId: string | null;
  tabs: WorkspaceTab[];
}

/** `getWorkspace()` (Hotline): the sessions and tabs as a console draws them, Home first. */
export interface WorkspaceSnapshot {
  focusedSessionId: string;
  presence: string;
  mode: PanelMode;
  sessions: WorkspaceSession[];
}

/** An `addHandler` handler: CIF hands it the event data as JSON text. */
export type CifHandler = (eventData: string) => unknown;

/** The names `addHandler` knows (any other name is a custom event for `raiseEvent`). */
export type CifEventName =
  | 'onSessionSwitched'
  | 'onSessionClosed'
  | 'onPresenceChange'
  | 'onmodechanged'
  | 'onsizechanged'
  | 'hotline.queueChanged'
  | 'hotline.conversationMessage'
  | 'hotline.conversationTyping'
  | 'hotline.conversationEnded'
  | 'hotline.sendBox'
  | 'hotline.workspaceChanged'
  | (string & {});

/** `onSessionSwitched` data (both spellings of focused, as CIF has them). */
export interface SessionSwitchedEventData {
  sessionId: string;
  focussed: boolean;
  focused: boolean;
  context: JsonValue;
}

/** `onSessionClosed` data. */
export interface SessionClosedEventData {
  sessionId: string;
  context: JsonValue;
}

/** `onPresenceChange` data. */
export interface PresenceChangeEventData {
  presenceId: string;
  presenceInfo: {
    basePresenceStatus: string;
    presenceColor: string;
    presenceId: string;
    presenceText: string;
  };
}

/** `hotline.queueChanged` data: a conversation entered or left the queue, or changed status. */
export interface QueueChangedEventData {
  conversationId: string;
  status: string;
  conversation: AgentConversation;
}

/** `hotline.conversationMessage` data. */
export interface ConversationMessageEventData {
  conversationId: string;
  sessionId: string;
  message: GmsTranscriptEvent;
}

/** `hotline.conversationTyping` data: the customer started or stopped typing. */
export interface ConversationTypingEventData {
  conversationId: string;
  sessionId: string;
  isTyping: boolean;
  text: JsonValue;
}

/** `hotline.conversationEnded` data. */
export interface ConversationEndedEventData {
  conversationId: string;
  sessionId: string;
  status: string;
}

/** `hotline.sendBox` data: put `message` in the console's send box. */
export interface SendBoxEventData {
  conversationId: string;
  sessionId: string;
  message: string;
}

/** `hotline.workspaceChanged` data. */
export interface WorkspaceChangedEventData {
  type:
    | 'sessionCreated'
    | 'sessionFocused'
    | 'sessionUpdated'
    | 'tabCreated'
    | 'tabFocused'
    | 'tabUpdated'
    | 'tabRefreshed'
    | 'tabClosed'
    | 'changed';
  sessionId: string;
  tabId?: string;
}

// ---- Microsoft.Omnichannel ------------------------------------------------------------------

/** `getConversations(input)`. */
export interface GetConversationsInput {
  /** The agent whose conversations to fetch (`getAgentId()`); `agentID` is accepted too. */
  agentId?: string;
  agentID?: string;
  /** Status codes: 1 Open, 2 Active, 3 Waiting, 4 Closed, 5 Wrap-up (numbers or numeric text). */
  status?: number | string | Array<number | string>;
  /** Only conversations created at least this many days ago. */
  createdBeforeDays?: number;
  /** More attributes to return, by logical name. */
  attributes?: string[] | string;
  orderBy?: Array<{ attributeName: string; descending?: boolean }>;
  /** Hotline: also the conversations no agent has yet (the queue). */
  includeQueue?: boolean;
}

/**
 * A conversation record (`msdyn_ocliveworkitem`): these attributes always, the ones asked for
 * with `attributes`, and OData annotations such as
 * `statuscode@OData.Community.Display.V1.FormattedValue`.
 */
export interface ConversationRecord {
  msdyn_ocliveworkitemid: string;
  msdyn_liveworkstreamid: string | null;
  msdyn_lastsessionid: string | null;
  statuscode: number;
  /** ISO 8601, UTC. */
  createdon: string | null;
  [attribute: string]: JsonValue | undefined;
}

/** A record linked to a conversation. */
export interface RecordLink {
  entityName: string;
  entityId: string;
  [key: string]: JsonValue;
}

/** A conversation as the agent API has it (`hotline.queueChanged`, `endConversation`). */
export interface AgentConversation {
  chatId: string;
  status: 'queued' | 'active' | 'waiting' | 'wrapup' | 'closed';
  service?: string;
  agentIds?: string[];
  lastIndex?: number;
  chatSessionId?: number;
  transferTo?: string | null;
  links?: { customer?: RecordLink | null; case?: RecordLink | null };
  [key: string]: JsonValue | undefined;
}

/** A GMS transcript event, as `getTranscript` and `hotline.conversationMessage` carry it. */
export interface GmsTranscriptEvent {
  index: number;
  type:
    | 'ParticipantJoined'
    | 'ParticipantLeft'
    | 'Message'
    | 'TypingStarted'
    | 'TypingStopped'
    | 'CustomNotice'
    | 'NicknameUpdated'
    | (string & {});
  from: { nickname?: string; participantId?: number; type?: PartyTypeName };
  text?: string;
  messageType?: string;
  /** Milliseconds since the Unix epoch. */
  utcTime: number;
  userData?: JsonObject;
  [key: string]: JsonValue | undefined;
}

/** `Omnichannel.getTranscript(conversationId?)` (Hotline). */
export interface ConversationTranscript {
  chatId: string;
  messages: GmsTranscriptEvent[];
  nextPosition: number;
}

/** `sendMessageToConversation(message)`: a text, or a message object with `content` or `text`. */
export type ConversationMessage = string | { content?: string; text?: string; [key: string]: unknown };

/** What `sendMessageToConversation(message, false)` resolves with: the new message's index. */
export interface SentMessage {
  chatId: string;
  index: number;
}
