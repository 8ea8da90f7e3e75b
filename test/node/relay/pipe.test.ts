// Frames through the relay: unchanged, in order, buffered until upstream opens; close
// codes both ways.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken } from '../../../src/server/token/index.ts';
import { RELAY_CLOSE } from '../../../src/server/relay/index.ts';
import { ORIGIN, SECRET, connect, startRelay, startUpstream, type FakeUpstream, type RelayFixture } from './helpers.ts';

const token = () => mintToken({ secret: SECRET, origin: ORIGIN });

/** Frames whose bytes a re-serializing relay would change: spacing, key order, escapes, unicode. */
const ODD_TEXT = [
  '{ "type" : "input_audio_buffer.append",\n  "audio":"AAEC/w==" }',
  '{"b":1,"a":2,"type":"x","s":"caf\\u00e9 \u00e9 \u{1F600}","n":1.50}',
  '{"type":"session.configure","session":{}}   ',
];

describe('relay pipe', () => {
  let upstream: FakeUpstream;
  let fx: RelayFixture;
  before(async () => {
    upstream = await startUpstream();
    fx = await startRelay({ upstreamUrl: upstream.url });
  });
  after(async () => {
    await fx.close();
    await upstream.close();
  });

  it('passes text frames byte-identical both ways, keeping the text/binary flag', async () => {
    const client = connect(fx.url, { api_key: token(), model: 'hydra-v1.1' });
    const conn = await upstream.next();
    await client.opened;
    for (const text of ODD_TEXT) client.ws.send(text);
    client.ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
    for (const text of ODD_TEXT) conn.ws.send(text);
    conn.ws.send(Buffer.from([9, 8, 7]), { binary: true });
    await client.frame(ODD_TEXT.length + 1);
    while (conn.frames.length < ODD_TEXT.length + 1) await new Promise((r) => setImmediate(r));
    ODD_TEXT.forEach((text, i) => {
      assert.deepEqual(conn.frames[i]!.data, Buffer.from(text, 'utf8'), `up ${i}`);
      assert.equal(conn.frames[i]!.binary, false);
      assert.deepEqual(client.frames[i]!.data, Buffer.from(text, 'utf8'), `down ${i}`);
      assert.equal(client.frames[i]!.binary, false);
    });
    assert.deepEqual(conn.frames[3], { data: Buffer.from([0, 1, 2, 255]), binary: true });
    assert.deepEqual(client.frames[3], { data: Buffer.from([9, 8, 7]), binary: true });
    client.ws.close(1000);
    await client.closed;
  });

  it('holds client frames sent before upstream opens and delivers them in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const gate = upstream.gate;
    upstream.gate = async (req) => {
      await held;
      return gate(req);
    };
    try {
      const before = fx.relay.stats().framesUp;
      const connectionsBefore = upstream.connections.length;
      const client = connect(fx.url, { api_key: token() });
      await client.opened; // the browser side opens while upstream is still held
      const sent = Array.from({ length: 20 }, (_, i) => JSON.stringify({ type: 'input_audio_buffer.append', seq: i }));
      for (const s of sent) client.ws.send(s);
      // Wait until the relay holds every frame, with upstream still not open.
      while (fx.relay.stats().framesUp - before < sent.length) await new Promise((r) => setTimeout(r, 5));
      assert.equal(upstream.connections.length, connectionsBefore, 'upstream not open yet');
      const next = upstream.next();
      release();
      const conn = await next;
      while (conn.frames.length < sent.length) await new Promise((r) => setImmediate(r));
      assert.deepEqual(conn.frames.map((f) => f.data.toString()), sent);
      client.ws.close();
      await client.closed;
    } finally {
      upstream.gate = gate;
    }
  });

  it('client close code and reason reach upstream (1000 and app codes)', async () => {
    for (const [code, reason] of [[1000, 'bye'], [4321, 'custom app close']] as const) {
      const client = connect(fx.url, { api_key: token() });
      const conn = await upstream.next();
      await client.opened;
      client.ws.close(code, reason);
      assert.deepEqual(await conn.closed, { code, reason });
      assert.equal((await client.closed).code, code);
    }
  });

  it('upstream close code and reason reach the client (1000, 1013, app codes)', async () => {
    for (const [code, reason] of [[1000, ''], [1013, 'server full'], [4100, 'app']] as const) {
      const client = connect(fx.url, { api_key: token() });
      const conn = await upstream.next();
      await client.opened;
      conn.ws.send('{"type":"error","error":{"code":"server_full","message":"full"}}');
      conn.ws.close(code, reason);
      assert.deepEqual(await client.closed, { code, reason });
      assert.match(client.frames[0]!.data.toString(), /server_full/, 'frames before the close are delivered first');
    }
  });

  it('upstream dropping the TCP connection (1006) reaches the client as sendable 4502', async () => {
    const client = connect(fx.url, { api_key: token() });
    const conn = await upstream.next();
    await client.opened;
    conn.ws.terminate();
    const closed = await client.closed;
    assert.equal(closed.code, RELAY_CLOSE.UPSTREAM_UNREACHABLE);
    assert.match(closed.reason, /upstream connection lost/);
  });

  it('a client that vanishes (1006) closes upstream with 1001', async () => {
    const client = connect(fx.url, { api_key: token() });
    const conn = await upstream.next();
    await client.opened;
    client.ws.terminate();
    assert.equal((await conn.closed).code, 1001);
  });

  it('a client closing while upstream is still connecting aborts the upstream attempt', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const gate = upstream.gate;
    const before = upstream.connections.length;
    upstream.gate = async (req) => {
      await held;
      return gate(req);
    };
    try {
      const client = connect(fx.url, { api_key: token() });
      await client.opened;
      client.ws.close(1000);
      await client.closed;
      release();
      await new Promise((r) => setTimeout(r, 50));
      const opened = upstream.connections.slice(before);
      // Either the upgrade never completed, or it was closed right away.
      for (const c of opened) assert.ok((await c.closed).code > 0);
      assert.equal(fx.relay.stats().active, 0);
    } finally {
      upstream.gate = gate;
    }
  });
});
