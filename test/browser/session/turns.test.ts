// Turn and response tracking: typed events with ids and offsets, decoded audio, states,
// discarded turns, and barge-in (interrupted response, or a new response while audio of
// the previous one is still arriving).
import { expect } from '@open-wc/testing';
import type { HydraSession } from '../../../src/session/index.ts';
import { describe, it, encodePcm, handshake, serverBarrier, sv, puppetFixture } from './helpers.ts';

describe('HydraSession turns and responses', () => {
  const fx = puppetFixture();

  async function ready() {
    const h = fx.make({ keepAliveMs: 60_000 });
    void h.session.start();
    await handshake(fx.puppet, h.session);
    return h;
  }
  const delta = (response: string, pcm: Int16Array) =>
    fx.puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: response, item_id: `item_${response}`, output_index: 0, content_index: 0, delta: encodePcm(pcm) });
  const audioDone = (response: string) => fx.puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: response, item_id: `item_${response}` });
  const created = (id: string) => fx.puppet.send({ type: 'response.created', event_id: sv(), response: { id, status: 'in_progress' } });
  const responseDone = (id: string, status: string, reason?: string, usage?: object) =>
    fx.puppet.send({ type: 'response.done', event_id: sv(), response: { id, status, status_details: reason ? { type: status, reason } : null, output: [], ...(usage ? { usage } : {}) } });

  it('a full turn: events with ids, offsets, decoded 48 kHz audio, usage, and the states between', async () => {
    const { session, of } = await ready();
    fx.puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 1200, item_id: 'item_u1' });
    fx.puppet.send({ type: 'conversation.item.added', event_id: sv(), item: { id: 'item_u1', type: 'message', role: 'user', status: 'in_progress' } });
    fx.puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), audio_end_ms: 2900, item_id: 'item_u1' });
    fx.puppet.send({ type: 'conversation.item.done', event_id: sv(), item: { id: 'item_u1', type: 'message', role: 'user', status: 'completed' } });
    created('resp_1');
    const pcm = Int16Array.from({ length: 960 }, (_, i) => (i * 37) % 30000 - 15000);
    delta('resp_1', pcm);
    delta('resp_1', pcm.subarray(0, 480));
    audioDone('resp_1');
    responseDone('resp_1', 'completed', undefined, { input_tokens: 5, output_tokens: 7, total_tokens: 12 });
    await serverBarrier(fx.puppet, session);

    expect(of('turn-start')).to.deep.equal([{ itemId: 'item_u1', audioStartMs: 1200 }]);
    expect(of('turn-end')).to.deep.equal([{ itemId: 'item_u1', audioEndMs: 2900 }]);
    expect(of('response-start')).to.deep.equal([{ responseId: 'resp_1' }]);
    const audio = of('audio');
    expect(audio.map((a) => [a.responseId, a.itemId, a.pcm.length])).to.deep.equal([['resp_1', 'item_resp_1', 960], ['resp_1', 'item_resp_1', 480]]);
    expect(Array.from(audio[0]!.pcm)).to.deep.equal(Array.from(pcm));
    expect(of('audio-done')).to.deep.equal([{ responseId: 'resp_1' }]);
    expect(of('response-end')).to.deep.equal([{ responseId: 'resp_1', status: 'completed', usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 } }]);
    expect(of('barge-in')).to.deep.equal([]);
    expect(of('state').map((s) => s.state)).to.deep.equal(['connecting', 'listening', 'user-speaking', 'thinking', 'speaking', 'listening']);
  });

  it('a turn the detector rejected is turn-discarded and the state returns to listening', async () => {
    const { session, of } = await ready();
    fx.puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 100, item_id: 'item_n' });
    fx.puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), audio_end_ms: 300, item_id: 'item_n' });
    fx.puppet.send({ type: 'conversation.item.done', event_id: sv(), item: { id: 'item_n', type: 'message', role: 'user', status: 'incomplete' } });
    await serverBarrier(fx.puppet, session);
    expect(of('turn-discarded')).to.deep.equal([{ itemId: 'item_n' }]);
    expect(session.state).to.equal('listening');
  });

  it('generate_initial_response: a response without a user turn', async () => {
    const { session, of } = await ready();
    created('resp_hi');
    delta('resp_hi', new Int16Array(480));
    await serverBarrier(fx.puppet, session);
    expect(session.state).to.equal('speaking');
    audioDone('resp_hi');
    responseDone('resp_hi', 'completed');
    await serverBarrier(fx.puppet, session);
    expect(session.state).to.equal('listening');
    expect(of('turn-start')).to.have.length(0);
  });

  it('barge-in: response.done cancelled/interrupted → one barge-in, its late audio dropped', async () => {
    const { session, of } = await ready();
    created('resp_a');
    delta('resp_a', new Int16Array(480).fill(1));
    fx.puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 5000, item_id: 'item_u2' });
    responseDone('resp_a', 'cancelled', 'interrupted');
    delta('resp_a', new Int16Array(480).fill(2)); // straggler
    await serverBarrier(fx.puppet, session);
    expect(of('barge-in')).to.deep.equal([{ responseId: 'resp_a' }]);
    expect(of('response-end')).to.deep.equal([{ responseId: 'resp_a', status: 'cancelled', reason: 'interrupted' }]);
    expect(of('audio')).to.have.length(1);
    expect(session.droppedLateAudioChunks).to.equal(1);
    expect(session.state).to.equal('user-speaking');
  });

  it('barge-in: response.created while the previous response’s audio is still arriving', async () => {
    const { session, of } = await ready();
    created('resp_a');
    delta('resp_a', new Int16Array(480));
    created('resp_b'); // no output_audio.done for resp_a
    delta('resp_a', new Int16Array(480)); // late chunk of the old response
    delta('resp_b', new Int16Array(480));
    responseDone('resp_a', 'cancelled', 'interrupted'); // already reported
    await serverBarrier(fx.puppet, session);
    expect(of('barge-in')).to.deep.equal([{ responseId: 'resp_a' }]);
    expect(of('audio').map((a) => a.responseId)).to.deep.equal(['resp_a', 'resp_b']);
    expect(session.state).to.equal('speaking');
  });

  it('no barge-in when the previous response’s audio was complete, or for our own response.cancel', async () => {
    const { session, of } = await ready();
    created('resp_a');
    delta('resp_a', new Int16Array(480));
    audioDone('resp_a');
    created('resp_b');
    responseDone('resp_a', 'completed');
    responseDone('resp_b', 'cancelled', 'client_cancelled');
    await serverBarrier(fx.puppet, session);
    expect(of('barge-in')).to.deep.equal([]);
    expect(of('response-end').map((e) => e.reason)).to.deep.equal([undefined, 'client_cancelled']);
    expect(session.state).to.equal('listening');
  });

  it('undecodable reply audio is a non-fatal invalid_frame error; the next chunk plays', async () => {
    const { session, of } = await ready();
    created('resp_a');
    fx.puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_a', delta: 'AAA' });
    fx.puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_a', delta: 'AQ==' /* 1 byte: not PCM16 */ });
    delta('resp_a', Int16Array.of(5, 6));
    await serverBarrier(fx.puppet, session);
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['invalid_frame', false], ['invalid_frame', false]]);
    expect(of('audio').map((a) => Array.from(a.pcm))).to.deep.equal([[5, 6]]);
  });
});
