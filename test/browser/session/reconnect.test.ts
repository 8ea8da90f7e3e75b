// Drops, closes and sockets that never open: backoff delays (fake timers and a fixed
// random, asserted exactly), a new session.configure on every new connection, longer
// backoff for a full server, close 1000 while in a conversation, and the credential hint.
import { expect } from '@open-wc/testing';
import { itExcept } from '../support/engine.ts';
import { RECONNECT_DEFAULTS, reconnectDelay } from '../../../src/session/index.ts';
import type { HydraError, HydraSession } from '../../../src/session/index.ts';
import { describe, it, WEATHER_TOOL, clientOpened, frameOn, handshake, harness, nextEvent, sv, until, puppetFixture } from './helpers.ts';

describe('HydraSession reconnects', () => {
  const fx = puppetFixture();
  const make = (options: Parameters<typeof harness>[1] = {}) => fx.make({ keepAliveMs: 60_000, ...options });

  it('delays: exponential from the base, capped, with equal jitter', () => {
    const o = { ...RECONNECT_DEFAULTS, baseDelayMs: 100, maxDelayMs: 1000, serverFullDelayMs: 2000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => reconnectDelay(n, false, o, () => 0.5))).to.deep.equal([75, 150, 300, 600, 750, 750]);
    expect([1, 2, 3].map((n) => reconnectDelay(n, false, o, () => 0))).to.deep.equal([50, 100, 200]);
    expect([1, 2, 3].map((n) => reconnectDelay(n, false, o, () => 0.999999))).to.deep.equal([100, 200, 400]);
    expect([1, 2, 3].map((n) => reconnectDelay(n, true, o, () => 0.5))).to.deep.equal([1500, 1500, 1500]);
    expect(reconnectDelay(1, true, { ...o, maxDelayMs: 30_000 }, () => 0.5)).to.equal(1500);
    expect(reconnectDelay(3, true, { ...o, maxDelayMs: 30_000 }, () => 0.5)).to.equal(6000);
  });

  it('a drop: connection_lost (non-fatal), backoff, then a new session with the configuration replayed', async () => {
    const config = { instructions: 'Be brief.', voice: 'aria', tools: [WEATHER_TOOL] };
    const { session, timers, of } = make({ config });
    const started = session.start();
    const first = await handshake(fx.puppet, session);
    await started;
    session.updateTools([]);
    await fx.puppet.frame('session.update');
    fx.puppet.drop();
    const reconnecting = await nextEvent(session, 'reconnecting');
    expect(reconnecting).to.deep.equal({ attempt: 1, delayMs: 375, reason: 'dropped' });
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['connection_lost', false]]);
    expect(session.state).to.equal('connecting');
    session.appendAudio(new Int16Array(320)); // reconnecting: dropped, counted
    expect(session.droppedAudioChunks).to.equal(1);

    timers.advance(374);
    await new Promise((r) => setTimeout(r, 0));
    expect(fx.puppet.connections()).to.equal(1);
    timers.advance(1);
    const second = await handshake(fx.puppet, session, 1);
    expect(first.session).to.deep.equal(config);
    expect(second.session).to.deep.equal({ ...config, tools: [] });
    expect(second.event_id).to.not.equal(first.event_id);
    expect(session.sessionId).to.equal('sess_1');
    expect(session.state).to.equal('listening');
    expect(of('session').map((s) => s.sessionId)).to.deep.equal(['sess_0', 'sess_1']);
  });

  it('repeated failures back off exponentially up to the cap; a configured session resets the count', async () => {
    const { session, timers, of } = make({ reconnect: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 } });
    void session.start();
    for (let conn = 0; conn < 6; conn++) {
      await fx.puppet.connection(conn);
      await clientOpened(timers);
      fx.puppet.drop(); // opened, dropped before the handshake
      const r = await nextEvent(session, 'reconnecting', (d) => d.attempt === conn + 1);
      timers.advance(r.delayMs);
    }
    expect(of('reconnecting').map((r) => r.delayMs)).to.deep.equal([75, 150, 300, 600, 750, 750]);
    await handshake(fx.puppet, session, 6);
    fx.puppet.drop();
    const after = await nextEvent(session, 'reconnecting', (d) => d.reason === 'dropped' && d.attempt === 1);
    expect(after.delayMs).to.equal(75);
  });

  it('gives up after maxAttempts with a fatal connection_lost', async () => {
    const { session, timers } = make({ reconnect: { maxAttempts: 2 } });
    const started = session.start();
    for (let conn = 0; conn < 3; conn++) {
      await fx.puppet.connection(conn);
      await clientOpened(timers);
      fx.puppet.drop();
      if (conn < 2) timers.advance((await nextEvent(session, 'reconnecting', (d) => d.attempt === conn + 1)).delayMs);
    }
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('connection_lost');
    expect(error?.fatal).to.be.true;
    expect(session.state).to.equal('error');
    expect(timers.pending).to.equal(0);
  });

  it('server_full then close 1013 waits longer than an ordinary drop, growing per attempt', async () => {
    const { session, timers, of } = make();
    void session.start();
    await handshake(fx.puppet, session);
    for (let conn = 0; conn < 2; conn++) {
      fx.puppet.send({ type: 'error', event_id: sv(), error: { type: 'server_error', code: 'server_full', message: 'full' } }, conn);
      fx.puppet.close(1013);
      const r = await nextEvent(session, 'reconnecting', (d) => d.attempt === conn + 1);
      timers.advance(r.delayMs);
      await fx.puppet.connection(conn + 1);
      fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 'x' }, conn + 1);
      await frameOn(fx.puppet, conn + 1, 'session.configure');
    }
    expect(of('reconnecting')).to.deep.equal([
      { attempt: 1, delayMs: 3750, reason: 'server_full' },
      { attempt: 2, delayMs: 7500, reason: 'server_full' },
    ]);
  });

  itExcept(
    { webkit: "WebKitGTK's WebSocket (libsoup) reports close codes 1012-1014 as 1006; Hydra's server_full error frame before the close is what the element relies on there" },
    'close 1013 alone (no error frame first) backs off like server_full',
    async () => {
      const { session } = make();
      void session.start();
      await handshake(fx.puppet, session);
      fx.puppet.close(1013);
      expect((await nextEvent(session, 'reconnecting')).reason).to.equal('server_full');
    },
  );

  it('close 1000 from the server while in a conversation reconnects; no error is reported', async () => {
    const { session, timers, of } = make();
    void session.start();
    await handshake(fx.puppet, session);
    fx.puppet.close(1000);
    const r = await nextEvent(session, 'reconnecting');
    expect(r).to.deep.equal({ attempt: 1, delayMs: 375, reason: 'closed' });
    expect(of('error')).to.deep.equal([]);
    timers.advance(375);
    await handshake(fx.puppet, session, 1);
  });

  it('a socket that never opens twice in a row is a fatal, credential-flavoured connection_failed', async () => {
    fx.puppet.rejectNext(401, 2);
    const { session, timers, of } = make();
    const started = session.start();
    await until(() => of('reconnecting').length === 1, 'the first reconnect');
    const r = of('reconnecting')[0];
    expect(r).to.deep.equal({ attempt: 1, delayMs: 375, reason: 'never_opened' });
    timers.advance(375);
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('connection_failed');
    expect(error?.message).to.match(/credential/).and.match(/401/).and.match(/endpoint/);
    expect(error?.message).to.not.contain('?'); // never the query (it carries the token)
    expect(of('error').filter((e) => e.fatal)).to.have.length(1);
    await until(() => fx.puppet.events.filter((e) => e.ev === 'rejected').length === 2, 'the second rejection');
    expect(fx.puppet.connections()).to.equal(0);
    expect(timers.pending).to.equal(0);
  });

  it('a socket that fails to open once, then opens, carries on', async () => {
    fx.puppet.rejectNext(401, 1);
    const { session, timers } = make();
    const started = session.start();
    timers.advance((await nextEvent(session, 'reconnecting')).delayMs);
    await handshake(fx.puppet, session);
    await started;
    expect(session.state).to.equal('listening');
  });

  it('a socket stuck connecting counts as never opened (connectTimeoutMs)', async () => {
    const made: string[] = [];
    class Stuck extends EventTarget {
      readyState = 0;
      url: string;
      onopen = null; onmessage = null; onclose = null; onerror = null;
      constructor(url: string) {
        super();
        this.url = url;
        made.push(url);
      }
      close() {
        this.readyState = 3;
      }
      send() {}
    }
    const { session, timers, of } = make({ WebSocket: Stuck as unknown as typeof WebSocket, connectTimeoutMs: 2000 });
    const started = session.start();
    expect(made).to.have.length(1);
    timers.advance(1999);
    expect(of('reconnecting')).to.have.length(0);
    timers.advance(1);
    expect(of('reconnecting')).to.deep.equal([{ attempt: 1, delayMs: 375, reason: 'never_opened' }]);
    timers.advance(375 + 2000);
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('connection_failed');
    expect(made).to.have.length(2);
  });

  it('no session.created within handshakeTimeoutMs: the socket is replaced', async () => {
    const { session, timers, of } = make({ handshakeTimeoutMs: 3000 });
    void session.start();
    await fx.puppet.connection(0);
    await clientOpened(timers, 3000);
    timers.advance(2999);
    expect(fx.puppet.events.some((e) => e.ev === 'close')).to.be.false;
    timers.advance(1);
    const closed = (await fx.puppet.waitFor((e) => e.ev === 'close' && e.conn === 0)) as { code: number };
    expect(closed.code).to.equal(4000);
    const r = of('reconnecting')[0]!;
    expect(r.reason).to.equal('handshake_timeout');
    timers.advance(r.delayMs);
    await handshake(fx.puppet, session, 1);
  });

  it("relay close 4401/4003/4400: a fatal connection_failed, no reconnect", async () => {
    for (const code of [4401, 4003, 4400]) {
      const { session, of } = make();
      const started = session.start();
      await handshake(fx.puppet, session, fx.puppet.connections());
      await started;
      fx.puppet.close(code, 'relay: test');
      await until(() => session.state === 'error', `state error after ${code}`);
      const fatal = of('error').filter((e) => e.fatal);
      expect(fatal.map((e) => e.code)).to.deep.equal(['connection_failed']);
      expect(fatal[0]!.message).to.contain('relay: test');
      expect(of('reconnecting')).to.have.length(0);
      session.stop();
    }
  });

  it('relay close 4001 (token refused): one retry with a fresh token, then token_failed', async () => {
    const { session, timers, of } = make();
    const started = session.start();
    await handshake(fx.puppet, session);
    await started;
    fx.puppet.close(4001, 'relay: token expired');
    const first = await nextEvent(session, 'reconnecting');
    expect(first.reason).to.equal('token_failed');
    timers.advance(first.delayMs);
    await fx.puppet.connection(1);
    fx.puppet.close(4001, 'relay: token expired');
    await until(() => session.state === 'error', 'state error after the second 4001');
    expect(of('error').filter((e) => e.fatal).map((e) => e.code)).to.deep.equal(['token_failed']);
  });
});
