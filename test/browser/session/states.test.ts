// States that follow what the user hears, at the session layer (the element tests in
// test/browser/element/states.test.ts check the same at the speakers):
//   - a socket lost mid-reply ends the cut response (cancelled, connection_lost) and the
//     state is listening once the new session is configured;
//   - audio for a response Hydra never announced is not played and changes no state;
//   - with a playback attached, speaking lasts from the first audible sample to the last,
//     not from the first delta to response.done; playback-end says when the reply finished;
//   - the keep-alive is one timer checked against the last send (audio re-arms nothing);
//   - without the wire log, no frame events are produced.
import { expect } from '@open-wc/testing';
import { describe, it, encodePcm, handshake, harness, nextEvent, puppetFixture, serverBarrier, sv } from './helpers.ts';

describe('HydraSession states that follow what the user hears', () => {
  const fx = puppetFixture();

  async function ready(options: Parameters<typeof harness>[1] = {}) {
    const h = fx.make({ keepAliveMs: 60_000, ...options });
    void h.session.start();
    await handshake(fx.puppet, h.session, fx.puppet.connections());
    return h;
  }
  const created = (id: string, conn?: number) => fx.puppet.send({ type: 'response.created', event_id: sv(), response: { id, status: 'in_progress' } }, conn);
  const delta = (id: string, conn?: number) =>
    fx.puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: id, item_id: `item_${id}`, delta: encodePcm(new Int16Array(480).fill(100)) }, conn);
  const audioDone = (id: string) => fx.puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: id });
  const done = (id: string) => fx.puppet.send({ type: 'response.done', event_id: sv(), response: { id, status: 'completed', output: [] } });
  const turn = (item: string, conn?: number) => {
    fx.puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 100, item_id: item }, conn);
    fx.puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), audio_end_ms: 900, item_id: item }, conn);
  };

  it('a socket lost mid-reply ends the cut response (cancelled, connection_lost); listening once the new session is configured', async () => {
    const { session, timers, of } = await ready();
    created('resp_cut');
    delta('resp_cut');
    await serverBarrier(fx.puppet, session);
    expect(session.state).to.equal('speaking');
    fx.puppet.drop();
    const reconnecting = await nextEvent(session, 'reconnecting');
    expect(of('response-end')).to.deep.equal([{ responseId: 'resp_cut', status: 'cancelled', reason: 'connection_lost' }]);
    expect(session.state).to.equal('connecting');
    timers.advance(reconnecting.delayMs);
    await handshake(fx.puppet, session, 1);
    expect(session.state).to.equal('listening');
    // Late chunks of the cut response cannot arrive on the new socket, but if they did they would not play.
    delta('resp_cut', 1);
    await serverBarrier(fx.puppet, session, 1);
    expect(of('audio')).to.have.length(1);
    expect(session.state).to.equal('listening');
  });

  it('audio for a response Hydra never announced is not played, reported once, and leaves the states alone', async () => {
    const { session, of } = await ready();
    delta('resp_ghost');
    delta('resp_ghost');
    await serverBarrier(fx.puppet, session);
    expect(of('audio')).to.deep.equal([]);
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['invalid_frame', false]]);
    expect(of('error')[0]!.message).to.contain('resp_ghost');
    expect(session.droppedUnknownAudioChunks).to.equal(2);
    expect(session.state).to.equal('listening');
    // The next turn goes turn-end → thinking → speaking → listening, as any turn does.
    const states: string[] = [];
    session.addEventListener('state', (e) => states.push(e.detail.state));
    turn('item_u1');
    created('resp_1');
    delta('resp_1');
    audioDone('resp_1');
    done('resp_1');
    await serverBarrier(fx.puppet, session);
    expect(states).to.deep.equal(['user-speaking', 'thinking', 'speaking', 'listening']);
  });

  it('late audio of a response we cancelled ourselves is not replayed', async () => {
    const { session, of } = await ready();
    created('resp_c');
    delta('resp_c');
    fx.puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_c', status: 'cancelled', status_details: { type: 'cancelled', reason: 'client_cancelled' }, output: [] } });
    delta('resp_c');
    await serverBarrier(fx.puppet, session);
    expect(of('audio')).to.have.length(1);
    expect(session.droppedLateAudioChunks).to.equal(1);
    expect(of('error')).to.deep.equal([]);
    expect(session.state).to.equal('listening');
  });

  it('with a playback attached: speaking from the first audible sample to the last; playback-end after response-end', async () => {
    const { session, of } = await ready();
    session.attachPlayback();
    const log: string[] = [];
    for (const type of ['state', 'response-end', 'playback-end'] as const) {
      session.addEventListener(type, (e) => log.push(type === 'state' ? `state:${(e.detail as { state: string }).state}` : type));
    }
    turn('item_u1');
    created('resp_1');
    delta('resp_1');
    await serverBarrier(fx.puppet, session);
    // Audio received but not audible yet (prebuffering): still thinking.
    expect(session.state).to.equal('thinking');
    session.playbackStarted('resp_1');
    expect(session.state).to.equal('speaking');
    audioDone('resp_1');
    done('resp_1');
    await serverBarrier(fx.puppet, session);
    // Hydra is done; the user still hears the reply.
    expect(session.state).to.equal('speaking');
    session.playbackEnded('resp_1', false, 20);
    expect(session.state).to.equal('listening');
    expect(of('playback-end')).to.deep.equal([{ responseId: 'resp_1', interrupted: false, durationMs: 20 }]);
    expect(log).to.deep.equal(['state:user-speaking', 'state:thinking', 'state:speaking', 'response-end', 'playback-end', 'state:listening']);
  });

  it('with a playback attached: a reply still playing when the socket drops keeps speaking through the reconnect', async () => {
    const { session, timers, of } = await ready();
    session.attachPlayback();
    created('resp_1');
    delta('resp_1');
    audioDone('resp_1');
    done('resp_1');
    await serverBarrier(fx.puppet, session);
    session.playbackStarted('resp_1');
    fx.puppet.drop();
    const r = await nextEvent(session, 'reconnecting');
    // Complete on the wire: not cut.
    expect(of('response-end').map((e) => e.reason)).to.deep.equal([undefined]);
    timers.advance(r.delayMs);
    await handshake(fx.puppet, session, 1);
    expect(session.state).to.equal('speaking');
    session.playbackEnded('resp_1', false, 20);
    expect(session.state).to.equal('listening');
  });

  it('the keep-alive is one timer: streaming audio schedules no timers', async () => {
    const { session, timers } = await ready({ keepAliveMs: 5000 });
    const scheduled = timers.scheduled;
    for (let i = 0; i < 200; i++) session.appendAudio(new Int16Array(320));
    expect(timers.scheduled - scheduled).to.equal(0);
  });

  it('without the wire log, no frame events are produced', async () => {
    const { session, of } = await ready({ wireLog: false });
    session.appendAudio(new Int16Array(320));
    created('resp_1');
    delta('resp_1');
    await serverBarrier(fx.puppet, session);
    expect(of('audio')).to.have.length(1);
    expect(of('frame')).to.deep.equal([]);
  });
});
