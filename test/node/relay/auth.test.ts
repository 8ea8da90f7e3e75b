// Token and origin checks: every rejection is readable by a browser (error frame + app
// close code) and never reaches upstream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken } from '../../../src/server/token/index.ts';
import { RELAY_CLOSE } from '../../../src/server/relay/index.ts';
import { API_KEY, ORIGIN, SECRET, connect, json, startRelay, startUpstream, type FakeUpstream, type RelayFixture, type TestClient } from './helpers.ts';

const T0 = 1_700_000_000_000;
let now = T0;
const clock = () => now;

async function expectRejected(client: TestClient, code: number, message: RegExp) {
  const frame = await client.frame(1);
  assert.equal(frame.binary, false);
  const body = json(frame);
  assert.equal(body.type, 'error');
  assert.match(body.event_id, /^relay_/);
  assert.equal(body.error.code, 'invalid_request_error');
  assert.match(body.error.message, /^relay: /);
  assert.match(body.error.message, message);
  const closed = await client.closed;
  assert.equal(closed.code, code);
  assert.match(closed.reason, message);
  return body;
}

describe('relay authentication', () => {
  let upstream: FakeUpstream;
  let fx: RelayFixture;
  const logs: unknown[] = [];
  before(async () => {
    upstream = await startUpstream();
    fx = await startRelay({ upstreamUrl: upstream.url, now: clock, log: (e) => logs.push(e) });
  });
  after(async () => {
    await fx.close();
    await upstream.close();
  });

  it('missing token → 4001', async () => {
    const body = await expectRejected(connect(fx.url, { model: 'hydra-v1.1' }), RELAY_CLOSE.UNAUTHORIZED, /token missing/);
    assert.equal(body.error.param, 'api_key');
  });

  it('badly signed token → 4001', async () => {
    const token = mintToken({ secret: 'some-other-secret-of-sufficient-length', origin: ORIGIN, now: clock });
    await expectRejected(connect(fx.url, { api_key: token }), RELAY_CLOSE.UNAUTHORIZED, /signature/);
  });

  it('the real API key itself is not a token → 4001', async () => {
    await expectRejected(connect(fx.url, { api_key: API_KEY }), RELAY_CLOSE.UNAUTHORIZED, /malformed/);
  });

  it('expired token → 4001 "token expired"', async () => {
    const token = mintToken({ secret: SECRET, origin: ORIGIN, ttlSeconds: 60, now: () => T0 - 61_000 });
    await expectRejected(connect(fx.url, { api_key: token }), RELAY_CLOSE.UNAUTHORIZED, /token expired/);
  });

  it('token for another origin → 4003', async () => {
    const token = mintToken({ secret: SECRET, origin: 'https://other.example', now: clock });
    await expectRejected(connect(fx.url, { api_key: token }), RELAY_CLOSE.FORBIDDEN, /another origin/);
  });

  it('no Origin header (non-browser client) → 4003', async () => {
    const token = mintToken({ secret: SECRET, origin: ORIGIN, now: clock });
    await expectRejected(connect(fx.url, { api_key: token }, null), RELAY_CLOSE.FORBIDDEN, /another origin/);
  });

  it('token bound to a model refuses another model → 4003', async () => {
    const token = mintToken({ secret: SECRET, origin: ORIGIN, model: 'hydra-v1.1', now: clock });
    await expectRejected(connect(fx.url, { api_key: token, model: 'hydra' }), RELAY_CLOSE.FORBIDDEN, /only valid for model hydra-v1.1/);
  });

  it('no rejected client ever reached upstream; logs never hold tokens or the key', () => {
    assert.equal(upstream.upgrades, 0);
    const text = JSON.stringify(logs);
    assert.ok(logs.length >= 7);
    assert.doesNotMatch(text, /hv1\./);
    assert.ok(!text.includes(API_KEY));
    assert.equal(fx.relay.stats().rejected, 7);
    assert.equal(fx.relay.stats().accepted, 0);
  });

  it('a valid token from its own origin is accepted and reaches upstream with the real key', async () => {
    const token = mintToken({ secret: SECRET, origin: ORIGIN, model: 'hydra-v1.1', now: clock });
    const client = connect(fx.url, { api_key: token, model: 'hydra-v1.1' });
    const conn = await upstream.next();
    assert.equal(conn.url.searchParams.get('api_key'), API_KEY);
    assert.equal(conn.url.searchParams.get('model'), 'hydra-v1.1');
    assert.ok(!conn.url.toString().includes(token));
    client.ws.close(1000);
    await client.closed;
  });
});

describe('relay allowedOrigins', () => {
  it('refuses an origin outside the list even with a valid token → 4003', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, allowedOrigins: ['https://only.example'] });
    try {
      const token = mintToken({ secret: SECRET, origin: ORIGIN });
      await expectRejected(connect(fx.url, { api_key: token }), RELAY_CLOSE.FORBIDDEN, /origin https:\/\/shop.example is not allowed/);
      const good = mintToken({ secret: SECRET, origin: 'https://only.example' });
      const client = connect(fx.url, { api_key: good }, 'https://only.example');
      await upstream.next();
      client.ws.close();
      await client.closed;
    } finally {
      await fx.close();
      await upstream.close();
    }
  });
});
