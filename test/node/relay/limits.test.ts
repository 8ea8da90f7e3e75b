// Limits: frame size (1009), session length (4008), concurrency per token and per IP (4029).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken } from '../../../src/server/token/index.ts';
import { RELAY_CLOSE } from '../../../src/server/relay/index.ts';
import { ORIGIN, SECRET, connect, json, startRelay, startUpstream } from './helpers.ts';

const token = () => mintToken({ secret: SECRET, origin: ORIGIN });

describe('relay limits', () => {
  it('a client frame over maxFrameBytes closes the client with 1009 and upstream with it; smaller frames pass', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, maxFrameBytes: 1000 });
    try {
      const client = connect(fx.url, { api_key: token() });
      const conn = await upstream.next();
      await client.opened;
      const fits = `{"pad":"${'x'.repeat(1000 - 10)}"}`;
      assert.equal(Buffer.byteLength(fits), 1000);
      client.ws.send(fits);
      while (conn.frames.length < 1) await new Promise((r) => setImmediate(r));
      client.ws.send(`{"pad":"${'x'.repeat(2000)}"}`);
      assert.equal((await client.closed).code, 1009);
      assert.equal((await conn.closed).code, 1009);
      assert.equal(conn.frames.length, 1, 'the oversized frame never reached upstream');
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('an upstream frame over maxFrameBytes closes the client with 1009', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, maxFrameBytes: 1000 });
    try {
      const client = connect(fx.url, { api_key: token() });
      const conn = await upstream.next();
      await client.opened;
      conn.ws.send(`{"pad":"${'x'.repeat(2000)}"}`);
      assert.equal((await client.closed).code, 1009);
      assert.equal(client.frames.length, 0);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('maxSessionMs closes the client with 4008 and upstream with 1000', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, maxSessionMs: 200 });
    try {
      const client = connect(fx.url, { api_key: token() });
      const conn = await upstream.next();
      const closed = await client.closed;
      assert.equal(closed.code, RELAY_CLOSE.SESSION_TIME_LIMIT);
      assert.match(closed.reason, /session time limit/);
      assert.equal((await conn.closed).code, 1000);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('reusable tokens (singleUseTokens: false): one session per token at a time; the slot frees when the session ends', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, singleUseTokens: false });
    try {
      const t = token();
      const first = connect(fx.url, { api_key: t });
      const conn = await upstream.next();
      await first.opened;
      const second = connect(fx.url, { api_key: t });
      const body = json(await second.frame(1));
      assert.equal(body.error.code, 'invalid_request_error');
      assert.match(body.error.message, /too many sessions for this token/);
      assert.equal((await second.closed).code, RELAY_CLOSE.TOO_MANY_SESSIONS);
      // The first session is unaffected.
      first.ws.send('{"type":"still-here"}');
      while (conn.frames.length < 1) await new Promise((r) => setImmediate(r));
      assert.equal(conn.frames[0]!.data.toString(), '{"type":"still-here"}');
      first.ws.close(1000);
      await first.closed;
      while (fx.relay.stats().active > 0) await new Promise((r) => setTimeout(r, 5));
      const third = connect(fx.url, { api_key: t });
      await upstream.next();
      third.ws.close(1000);
      await third.closed;
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('maxSessionsPerToken above 1 allows that many', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url, maxSessionsPerToken: 2, singleUseTokens: false });
    try {
      const t = token();
      const a = connect(fx.url, { api_key: t });
      const b = connect(fx.url, { api_key: t });
      await upstream.next();
      await upstream.next();
      const c = connect(fx.url, { api_key: t });
      assert.equal((await c.closed).code, RELAY_CLOSE.TOO_MANY_SESSIONS);
      a.ws.close();
      b.ws.close();
      await Promise.all([a.closed, b.closed]);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('maxSessionsPerIp counts sessions across tokens (server_full + 4029); clientIp hook honoured', async () => {
    const upstream = await startUpstream();
    let ip = '10.0.0.1';
    const fx = await startRelay({ upstreamUrl: upstream.url, maxSessionsPerIp: 2, clientIp: () => ip });
    try {
      const a = connect(fx.url, { api_key: token() });
      const b = connect(fx.url, { api_key: token() });
      await upstream.next();
      await upstream.next();
      const c = connect(fx.url, { api_key: token() });
      const body = json(await c.frame(1));
      assert.equal(body.error.code, 'server_full');
      assert.match(body.error.message, /too many concurrent sessions from this address/);
      assert.equal((await c.closed).code, RELAY_CLOSE.TOO_MANY_SESSIONS);
      ip = '10.0.0.2';
      const d = connect(fx.url, { api_key: token() });
      await upstream.next();
      assert.equal(fx.relay.stats().active, 3);
      for (const x of [a, b, d]) x.ws.close();
      await Promise.all([a.closed, b.closed, d.closed]);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('close() ends every session with 1001 on both sides', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url });
    try {
      const client = connect(fx.url, { api_key: token() });
      const conn = await upstream.next();
      await client.opened;
      await fx.relay.close();
      assert.equal((await client.closed).code, 1001);
      assert.equal((await conn.closed).code, 1001);
      // New sessions after close are refused readably.
      const late = connect(fx.url, { api_key: token() });
      assert.equal((await late.closed).code, 1001);
    } finally {
      await fx.close();
      await upstream.close();
    }
  });
});
