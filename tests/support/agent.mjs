// A tiny client for the agent REST API of hotline-server (/api/v1/...), for tests.
//
//   const agent = await AgentClient.login(server.url, 'agent1', 'secret1');
//   const queue = await agent.list('queue');
//   await agent.accept(chatId);
//   const { index } = await agent.send(chatId, 'Hello');

/** A non-2xx answer: `status` and the parsed (or raw) `body`. */
export class HttpError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} -> ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
  }
}

/** fetch + JSON both ways; throws HttpError unless the status is 2xx. */
export async function requestJson(method, url, { body, headers = {} } = {}) {
  const init = { method, headers: { accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  if (!res.ok) throw new HttpError(method, url, res.status, parsed);
  return parsed === '' ? null : parsed;
}

export class AgentClient {
  /** @param {string} baseUrl server URL without a trailing slash */
  constructor(baseUrl, { token, agentId, name }) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.agentId = agentId;
    this.name = name;
  }

  /** POST /api/v1/agents/login → an AgentClient holding the bearer token. */
  static async login(baseUrl, username, password) {
    const body = await requestJson('POST', `${baseUrl}/api/v1/agents/login`, { body: { username, password } });
    return new AgentClient(baseUrl, body);
  }

  request(method, path, body) {
    return requestJson(method, `${this.baseUrl}${path}`, {
      body,
      headers: { authorization: `Bearer ${this.token}` },
    });
  }

  /** GET /api/v1/conversations?scope=queue|mine|all → the conversations array. */
  async list(scope = 'queue') {
    const body = await this.request('GET', `/api/v1/conversations?scope=${encodeURIComponent(scope)}`);
    return body.conversations;
  }

  accept(chatId) {
    return this.request('POST', `/api/v1/conversations/${encodeURIComponent(chatId)}/accept`);
  }

  /** → `{index}` of the new message in the transcript. */
  send(chatId, text) {
    return this.request('POST', `/api/v1/conversations/${encodeURIComponent(chatId)}/messages`, { text });
  }

  typing(chatId, isTyping = true) {
    return this.request('POST', `/api/v1/conversations/${encodeURIComponent(chatId)}/typing`, { isTyping });
  }

  leave(chatId) {
    return this.request('POST', `/api/v1/conversations/${encodeURIComponent(chatId)}/leave`);
  }

  end(chatId) {
    return this.request('POST', `/api/v1/conversations/${encodeURIComponent(chatId)}/end`);
  }

  transcript(chatId, from = 1) {
    return this.request('GET', `/api/v1/conversations/${encodeURIComponent(chatId)}/transcript?from=${from}`);
  }
}
