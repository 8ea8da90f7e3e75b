// Every error frame becomes a typed error event; error.event_id names the frame that
// caused it; a rejected configuration is fatal; internal_error reconnects once.
import { expect } from '@open-wc/testing';
import { ERROR_CODES } from '../../../src/protocol/index.ts';
import type { HydraError, HydraSession } from '../../../src/session/index.ts';
import { describe, it, barrier, handshake, harness, nextEvent, serverBarrier, sv, puppetFixture } from './helpers.ts';

describe('HydraSession errors', () => {
  const fx = puppetFixture();

  async function ready(options: Parameters<typeof harness>[1] = {}) {
    const h = fx.make({ keepAliveMs: 60_000, ...options });
    const started = h.session.start();
    await handshake(fx.puppet, h.session);
    await started;
    return h;
  }
  const errorFrame = (code: string, extra: Record<string, unknown> = {}) =>
    fx.puppet.send({ type: 'error', event_id: sv(), error: { type: 'invalid_request_error', code, message: `${code} happened`, ...extra } });

  const nonClosing = ERROR_CODES.filter((c) => c !== 'server_full' && c !== 'internal_error');
  for (const code of [...nonClosing, 'some_future_code']) {
    it(`${code}: a non-fatal error event; the session carries on`, async () => {
      const { session, of } = await ready();
      errorFrame(code, { param: 'session.configure.session.voice' });
      await serverBarrier(fx.puppet, session);
      expect(of('error')).to.deep.equal([{ code, message: `${code} happened`, fatal: false, param: 'session.configure.session.voice' }]);
      expect(session.state).to.equal('listening');
      session.appendAudio(new Int16Array(320));
      await fx.puppet.frame('input_audio_buffer.append');
      expect(fx.puppet.connections()).to.equal(1);
    });
  }

  it('server_full: a non-fatal error event, then close 1013 backs off longer', async () => {
    const { session, of } = await ready();
    errorFrame('server_full');
    fx.puppet.close(1013, 'server at capacity');
    const reconnecting = await nextEvent(session, 'reconnecting');
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['server_full', false]]);
    expect(reconnecting).to.deep.equal({ attempt: 1, delayMs: 3750, reason: 'server_full' });
  });

  it('error.event_id is correlated to the type of the frame that caused it', async () => {
    const { session, of } = await ready();
    session.appendAudio(new Int16Array(320));
    session.updateTools([]);
    await barrier(fx.puppet, session);
    const append = fx.puppet.sent('input_audio_buffer.append')[0];
    const update = fx.puppet.sent('session.update')[0];
    errorFrame('invalid_audio', { event_id: append.event_id });
    errorFrame('invalid_frame', { event_id: update.event_id, param: 'session.tools' });
    errorFrame('invalid_frame', { event_id: 'cl_unknown', param: null });
    await serverBarrier(fx.puppet, session);
    expect(of('error')).to.deep.equal([
      { code: 'invalid_audio', message: 'invalid_audio happened', fatal: false, causeEventId: append.event_id, causeType: 'input_audio_buffer.append' },
      { code: 'invalid_frame', message: 'invalid_frame happened', fatal: false, param: 'session.tools', causeEventId: update.event_id, causeType: 'session.update' },
      { code: 'invalid_frame', message: 'invalid_frame happened', fatal: false, causeEventId: 'cl_unknown' },
    ]);
  });

  it('an error blaming session.configure before session.configured is fatal: start() rejects, no reconnect', async () => {
    const h = fx.make({ config: { voice: 'zoe' } });
    const started = h.session.start();
    await fx.puppet.connection(0);
    fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 's' });
    const configure = await fx.puppet.frame('session.configure');
    errorFrame('invalid_request_error', { event_id: configure.event_id, param: 'session.configure.session.voice', message: 'Unknown voice' });
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('invalid_request_error');
    expect(error?.message).to.contain('Unknown voice');
    expect(error?.param).to.equal('session.configure.session.voice');
    expect(error?.causeType).to.equal('session.configure');
    expect(h.of('error')).to.have.length(1);
    expect(h.of('error')[0]!.fatal).to.be.true;
    expect(h.session.state).to.equal('error');
    const closed = (await fx.puppet.waitFor((e) => e.ev === 'close')) as { code: number };
    expect(closed.code).to.equal(1000);
    expect(h.timers.pending).to.equal(0);
    expect(h.of('reconnecting')).to.have.length(0);
  });

  it('internal_error reconnects once into a new session; twice without a completed response is fatal', async () => {
    const config = { instructions: 'x', voice: 'maya' };
    const { session, timers, of } = await ready({ config });
    errorFrame('internal_error');
    const closed = (await fx.puppet.waitFor((e) => e.ev === 'close' && e.conn === 0)) as { code: number };
    expect(closed.code).to.equal(4000);
    expect(of('reconnecting')).to.deep.equal([{ attempt: 1, delayMs: 375, reason: 'internal_error' }]);
    timers.advance(375);
    const configure = await handshake(fx.puppet, session, 1);
    expect(configure.session).to.deep.equal(config);
    expect(session.sessionId).to.equal('sess_1');

    // A completed response in between earns another reconnect.
    fx.puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'r', status: 'completed' } }, 1);
    errorFrame('internal_error');
    await nextEvent(session, 'reconnecting', (d) => d.reason === 'internal_error');
    timers.advance(375);
    await handshake(fx.puppet, session, 2);

    errorFrame('internal_error');
    const fatal = await nextEvent(session, 'error', (e) => e.fatal);
    expect(fatal.code).to.equal('internal_error');
    expect(session.state).to.equal('error');
    expect(timers.pending).to.equal(0);
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['internal_error', false], ['internal_error', false], ['internal_error', true]]);
  });
});
