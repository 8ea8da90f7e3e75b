// What the browser sees when the relay cannot get a session upstream: an error frame it
// can read, then an application close code (never a bare 1006).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mintToken } from '../../../src/server/token/index.ts';
import { RELAY_CLOSE, createRelay } from '../../../src/server/relay/index.ts';
import { ORIGIN, SECRET, connect, deadPort, json, startRelay, startUpstream } from './helpers.ts';

const token = () => mintToken({ secret: SECRET, origin: ORIGIN });

describe('relay upstream failures', () => {
  it('upstream 401 (wrong API key) → invalid_request_error + 4401, key not echoed', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, apiKey: 'sk-wrong-key' });
    try {
      const client = connect(fx.url, { api_key: token(), model: 'hydra-v1.1' });
      client.ws.on('open', () => client.ws.send('{"type":"session.configure","session":{}}'));
      const body = json(await client.frame(1));
      assert.equal(body.type, 'error');
      assert.equal(body.error.code, 'invalid_request_error');
      assert.match(body.error.message, /^relay: upstream rejected the relay's API key \(HTTP 401\)/);
      const closed = await client.closed;
      assert.equal(closed.code, RELAY_CLOSE.UPSTREAM_AUTH);
      assert.ok(!JSON.stringify(body).includes('sk-wrong-key') && !closed.reason.includes('sk-wrong-key'));
      while (fx.relay.stats().active > 0) await new Promise((r) => setTimeout(r, 5));
      assert.equal(fx.relay.stats().upstreamFailures, 1);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('upstream refusing with another status (503) → internal_error + 4502', async () => {
    const upstream = await startUpstream();
    upstream.gate = () => 503;
    const fx = await startRelay({ upstreamUrl: upstream.url });
    try {
      const client = connect(fx.url, { api_key: token() });
      const body = json(await client.frame(1));
      assert.equal(body.error.code, 'internal_error');
      assert.match(body.error.message, /HTTP 503/);
      assert.equal((await client.closed).code, RELAY_CLOSE.UPSTREAM_UNREACHABLE);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('upstream refusing with 400 (unknown model) → invalid_request_error + 4400', async () => {
    const upstream = await startUpstream();
    upstream.gate = () => 400;
    const fx = await startRelay({ upstreamUrl: upstream.url });
    try {
      const client = connect(fx.url, { api_key: token(), model: 'hydra-v9' });
      const body = json(await client.frame(1));
      assert.equal(body.error.code, 'invalid_request_error');
      assert.match(body.error.message, /HTTP 400/);
      assert.equal((await client.closed).code, RELAY_CLOSE.UPSTREAM_BAD_REQUEST);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('nothing listening upstream → internal_error + 4502', async () => {
    const fx = await startRelay({ upstreamUrl: `ws://127.0.0.1:${await deadPort()}/s2s` });
    try {
      const client = connect(fx.url, { api_key: token() });
      const body = json(await client.frame(1));
      assert.equal(body.error.code, 'internal_error');
      assert.match(body.error.message, /^relay: upstream unreachable/);
      const closed = await client.closed;
      assert.equal(closed.code, RELAY_CLOSE.UPSTREAM_UNREACHABLE);
      assert.match(closed.reason, /unreachable/);
    } finally {
      await fx.close();
    }
  });

  it('upstream accepting TCP but never answering the upgrade → internal_error + 4504', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const fx = await startRelay({ upstreamUrl: `ws://127.0.0.1:${port}/s2s`, connectTimeoutMs: 150 });
    try {
      const client = connect(fx.url, { api_key: token() });
      const body = json(await client.frame(1));
      assert.equal(body.error.code, 'internal_error');
      assert.match(body.error.message, /did not answer within 150 ms/);
      assert.equal((await client.closed).code, RELAY_CLOSE.UPSTREAM_TIMEOUT);
    } finally {
      await fx.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('requires an API key at setup (option or SMALLEST_API_KEY)', () => {
    const saved = process.env.SMALLEST_API_KEY;
    delete process.env.SMALLEST_API_KEY;
    try {
      assert.throws(() => createRelay({ secret: SECRET }), /SMALLEST_API_KEY/);
      process.env.SMALLEST_API_KEY = 'sk-from-env';
      assert.doesNotThrow(() => createRelay({ secret: SECRET }).close());
    } finally {
      if (saved === undefined) delete process.env.SMALLEST_API_KEY;
      else process.env.SMALLEST_API_KEY = saved;
    }
  });
});
