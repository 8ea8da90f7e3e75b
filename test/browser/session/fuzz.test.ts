// 200 malformed frames from a seeded PRNG: each one is a non-fatal invalid_frame error,
// the session keeps its socket and state, and a normal turn works afterwards.
import { expect } from '@open-wc/testing';
import { Puppet } from '../../support/puppet.ts';
import { parseServerFrame } from '../../../src/protocol/index.ts';
import type { HydraSession } from '../../../src/session/index.ts';
import { afterEach, beforeEach, describe, it, barrier, encodePcm, handshake, harness, prng, serverBarrier, sv } from './helpers.ts';

const MAX_FRAME = 4096;

const VALID: Record<string, unknown>[] = [
  { type: 'session.created', event_id: 'sv', session_id: 's' },
  { type: 'input_audio_buffer.speech_started', event_id: 'sv', audio_start_ms: 10, item_id: 'i' },
  { type: 'input_audio_buffer.speech_stopped', event_id: 'sv', audio_end_ms: 20, item_id: 'i' },
  { type: 'response.created', event_id: 'sv', response: { id: 'r' } },
  { type: 'response.output_audio.delta', event_id: 'sv', response_id: 'r', item_id: 'i', delta: 'AAAA' },
  { type: 'response.output_audio.done', event_id: 'sv', response_id: 'r' },
  { type: 'response.function_call_arguments.delta', event_id: 'sv', call_id: 'c', delta: '{' },
  { type: 'response.function_call_arguments.done', event_id: 'sv', call_id: 'c', name: 'n', arguments: '{}' },
  { type: 'response.done', event_id: 'sv', response: { id: 'r', status: 'completed' } },
  { type: 'conversation.item.done', event_id: 'sv', item: { id: 'i', role: 'user', status: 'completed' } },
  { type: 'error', event_id: 'sv', error: { code: 'invalid_audio', message: 'm' } },
  { type: 'session.configured', event_id: 'sv', session: {} },
];

const JUNK: unknown[] = [42, 'text', true, null, [], [1, 2], { nested: [null] }, -1.5, '', {}];

function malformed(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const base = structuredClone(pick(VALID));
  switch (Math.floor(rand() * 7)) {
    case 0: {
      // truncated JSON
      const text = JSON.stringify(base);
      return text.slice(0, 1 + Math.floor(rand() * (text.length - 1)));
    }
    case 1:
      return JSON.stringify(pick(JUNK.filter((j) => typeof j !== 'object' || j === null || Array.isArray(j))));
    case 2:
      return JSON.stringify({ ...base, type: pick(['', 'session.destroy', 'response.create', 'RESPONSE.DONE', 'error ', 7, null]) });
    case 3: {
      // a required field removed (all but event_id are required in these samples)
      const keys = Object.keys(base).filter((k) => k !== 'type' && k !== 'event_id');
      delete base[pick(keys)];
      return JSON.stringify(base);
    }
    case 4: {
      // a field of the wrong type (junk of another type than the original)
      const key = pick(Object.keys(base).filter((k) => k !== 'type' && k !== 'event_id'));
      const original = base[key];
      base[key] = pick(JUNK.filter((j) => typeof j !== typeof original && !(j === null && original === null)));
      return JSON.stringify(base);
    }
    case 5:
      return JSON.stringify({ ...base, pad: 'x'.repeat(MAX_FRAME) }); // oversized
    default: {
      // random bytes
      let s = '';
      const n = 1 + Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(rand() * 95));
      return s;
    }
  }
}

describe('HydraSession robustness', () => {
  let puppet: Puppet;
  let session: HydraSession | undefined;
  beforeEach(async () => {
    puppet = await Puppet.create();
  });
  afterEach(() => {
    session?.stop();
    puppet.dispose();
  });

  it('200 random malformed frames: 200 non-fatal invalid_frame errors, then a normal turn works', async () => {
    const h = harness(puppet, { keepAliveMs: 60_000, maxFrameBytes: MAX_FRAME });
    session = h.session;
    void session.start();
    await handshake(puppet, session);

    const rand = prng(0x5eed);
    const frames: string[] = [];
    while (frames.length < 200) {
      const text = malformed(rand);
      // Only frames the parser must reject count (a mutation can land on something valid).
      if (!parseServerFrame(text, { maxBytes: MAX_FRAME }).ok) frames.push(text);
    }
    for (const text of frames) puppet.sendRaw(text);
    await serverBarrier(puppet, session);

    const errors = h.of('error');
    expect(errors).to.have.length(200);
    expect(errors.every((e) => e.code === 'invalid_frame' && e.fatal === false)).to.be.true;
    expect(h.of('frame').filter((f) => f.direction === 'in' && 'invalid' in (f.frame as object))).to.have.length(200);
    expect(session.state).to.equal('listening');
    expect(h.of('reconnecting')).to.have.length(0);
    expect(puppet.events.some((e) => e.ev === 'close')).to.be.false;

    // A normal turn afterwards.
    puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 100, item_id: 'u' });
    puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), audio_end_ms: 900, item_id: 'u' });
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_ok' } });
    puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_ok', delta: encodePcm(Int16Array.of(1, 2, 3)) });
    puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_ok' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_ok', status: 'completed' } });
    await serverBarrier(puppet, session);
    expect(h.of('turn-start').map((t) => t.itemId)).to.deep.equal(['u']);
    expect(h.of('audio').map((a) => Array.from(a.pcm))).to.deep.equal([[1, 2, 3]]);
    expect(h.of('response-end').map((r) => r.status)).to.deep.equal(['completed']);
    expect(session.state).to.equal('listening');
    session.appendAudio(new Int16Array(320).fill(3));
    await barrier(puppet, session);
    expect(puppet.sent('input_audio_buffer.append')).to.have.length(1);
    expect(h.of('error')).to.have.length(200);
  });
});
