// Keep-alive: muted audio goes out as zeros of the same length, and silence is sent when
// nothing was sent for keepAliveMs (fake timers, no sleeps).
import { expect } from '@open-wc/testing';
import type { HydraSession } from '../../../src/session/index.ts';
import { describe, it, barrier, decodePcm, handshake, sv, puppetFixture } from './helpers.ts';

describe('HydraSession keep-alive and mute', () => {
  const fx = puppetFixture();

  async function ready(keepAliveMs = 5000) {
    const h = fx.make({ keepAliveMs });
    void h.session.start();
    await handshake(fx.puppet, h.session);
    return h;
  }

  it('muted: appendAudio sends zeros of the same length', async () => {
    const { session } = await ready();
    session.muted = true;
    session.appendAudio(new Int16Array(320).fill(12345));
    session.appendAudio(new Int16Array(640).fill(-5));
    session.muted = false;
    session.appendAudio(Int16Array.of(1, 2, 3));
    await barrier(fx.puppet, session);
    const chunks = fx.puppet.sent('input_audio_buffer.append').map((f) => Array.from(decodePcm(f.audio)));
    expect(chunks.map((c) => c.length)).to.deep.equal([320, 640, 3]);
    expect(chunks[0]!.every((s) => s === 0)).to.be.true;
    expect(chunks[1]!.every((s) => s === 0)).to.be.true;
    expect(chunks[2]).to.deep.equal([1, 2, 3]);
  });

  it('sends a 20 ms silence frame when nothing was sent for keepAliveMs, and keeps doing so', async () => {
    const { session, timers } = await ready(5000);
    timers.advance(4999);
    await barrier(fx.puppet, session); // the barrier itself is traffic: it re-arms the timer
    expect(fx.puppet.sent('input_audio_buffer.append')).to.have.length(0);
    timers.advance(5000);
    timers.advance(5000);
    await barrier(fx.puppet, session);
    const silence = fx.puppet.sent('input_audio_buffer.append');
    expect(silence).to.have.length(2);
    for (const f of silence) {
      const pcm = decodePcm(f.audio);
      expect(pcm.length).to.equal(320);
      expect(pcm.every((s) => s === 0)).to.be.true;
    }
  });

  it('any frame sent postpones the keep-alive', async () => {
    const { session, timers } = await ready(5000);
    for (let i = 0; i < 5; i++) {
      timers.advance(4000);
      session.appendAudio(new Int16Array(320).fill(1));
    }
    await barrier(fx.puppet, session);
    const appends = fx.puppet.sent('input_audio_buffer.append').map((f) => decodePcm(f.audio)[0]);
    expect(appends).to.deep.equal([1, 1, 1, 1, 1]); // no silence in between
  });

  it('while muted and the mic is silent too, silence still keeps the session alive', async () => {
    const { session, timers } = await ready(2000);
    session.muted = true;
    timers.advance(2000 * 14); // the ~30 s Hydra idle window
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('input_audio_buffer.append').length).to.be.greaterThanOrEqual(14);
  });

  it('sends no keep-alive before session.configured', async () => {
    const h = fx.make({ keepAliveMs: 1000, handshakeTimeoutMs: 60_000 });
    void h.session.start();
    await fx.puppet.connection(0);
    fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 's' });
    await fx.puppet.frame('session.configure');
    h.timers.advance(10_000);
    fx.puppet.send({ type: 'session.configured', event_id: sv(), session: {} });
    await barrier(fx.puppet, h.session).catch(() => undefined);
    const types = fx.puppet.sent().map((f) => f.type);
    expect(types[0]).to.equal('session.configure');
    expect(types.indexOf('input_audio_buffer.append')).to.equal(-1);
  });
});
