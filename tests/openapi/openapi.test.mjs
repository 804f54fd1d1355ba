// The server's OpenAPI document (GET /api/openapi.json) is a valid OpenAPI 3 document, checked
// by an independent validator (@apidevtools/swagger-parser: the OpenAPI 3.0 JSON schema, and
// every $ref resolved), and it describes every REST face of the server.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import SwaggerParser from '@apidevtools/swagger-parser';

import { withServer } from '../support/server.mjs';

test('GET /api/openapi.json validates as OpenAPI 3', async () => {
  await withServer(async (server) => {
    const response = await fetch(`${server.url}/api/openapi.json`);
    assert.equal(response.status, 200);
    const document = await response.json();
    // validate() dereferences in place: keep the original for the checks below.
    const api = await SwaggerParser.validate(structuredClone(document));
    assert.match(api.openapi, /^3\./);

    const paths = Object.keys(document.paths);
    for (const path of [
      '/genesys/2/chat/{service}',
      '/genesys/2/chat/{service}/{chat_id}/{operation}',
      '/api/v1/agents/login',
      '/api/v1/conversations',
      '/api/v1/ChatSession',
      '/api/v1/ChatSession/{id}',
      '/api/v1/ChatSession/{id}/Messages',
      '/api/v1/ChatTopic/{id}/Sessions',
      '/api/openapi.json',
    ]) {
      assert.ok(paths.includes(path), `${path} is documented`);
    }
    const ids = Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });
});
