// Connecting and the handshake: URL, order of frames, exactly one session.configure with
// only known keys, audio gating until session.configured, event ids, tools updates.
import { expect } from '@open-wc/testing';
import { HydraError, HydraSession } from '../../../src/session/index.ts';
import { describe, it, WEATHER_TOOL, barrier, decodePcm, handshake, nextEvent, serverBarrier, sv, puppetFixture } from './helpers.ts';

describe('HydraSession handshake', () => {
  const fx = puppetFixture();

  it('opens <url>?model=…, keeps the URL’s own query, and omits api_key without a token endpoint', async () => {
    const { session } = fx.make({ model: 'hydra-v1.0' });
    void session.start();
    const open = (await fx.puppet.connection(0)) as { url: string };
    const params = new URL(open.url, 'http://x').searchParams;
    expect(params.get('id')).to.equal(fx.puppet.id);
    expect(params.get('model')).to.equal('hydra-v1.0');
    expect(params.has('api_key')).to.be.false;
  });

  it('sends nothing before session.created, then exactly one session.configure, and resolves only on session.configured', async () => {
    const config = { instructions: 'Be brief.', voice: 'zoe', tools: [WEATHER_TOOL], generate_initial_response: true };
    const { session, of } = fx.make({ config });
    let resolved = false;
    const started = session.start().then(() => (resolved = true));
    expect(session.state).to.equal('connecting');
    await fx.puppet.connection(0);
    expect(fx.puppet.sent()).to.deep.equal([]);

    fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 'sess_a' });
    const configure = await fx.puppet.frame('session.configure');
    expect(configure.session).to.deep.equal(config);
    expect(Object.keys(configure).sort()).to.deep.equal(['event_id', 'session', 'type']);
    expect(session.sessionId).to.equal('sess_a');
    // A repeated session.created must not produce a second configure.
    fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 'sess_b' });
    await serverBarrier(fx.puppet, session);
    expect(resolved).to.be.false;
    expect(session.state).to.equal('connecting');

    fx.puppet.send({ type: 'session.configured', event_id: sv(), session: { ...config, extra: 1 } });
    await started;
    expect(session.state).to.equal('listening');
    expect(of('session')).to.deep.equal([{ sessionId: 'sess_a', session: { ...config, extra: 1 } }]);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('session.configure')).to.have.length(1);
    expect(of('state').map((s) => s.state)).to.deep.equal(['connecting', 'listening']);
  });

  it('drops (and counts) audio before session.configured, then sends it', async () => {
    const { session } = fx.make();
    void session.start();
    session.appendAudio(new Int16Array(320).fill(7)); // before the socket opens
    await fx.puppet.connection(0);
    session.appendAudio(new Int16Array(320).fill(8)); // open, before session.created
    fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 's' });
    await fx.puppet.frame('session.configure');
    session.appendAudio(new Int16Array(320).fill(9)); // configure sent, not yet configured
    expect(session.droppedAudioChunks).to.equal(3);

    const configured = nextEvent(session, 'session');
    fx.puppet.send({ type: 'session.configured', event_id: sv(), session: {} });
    await configured;
    const samples = Int16Array.from({ length: 320 }, (_, i) => i * 3 - 400);
    session.appendAudio(samples.subarray(0, 320));
    const append = await fx.puppet.frame('input_audio_buffer.append');
    expect(Array.from(decodePcm(append.audio))).to.deep.equal(Array.from(samples));
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('input_audio_buffer.append')).to.have.length(1);
    expect(session.droppedAudioChunks).to.equal(3);
  });

  it('puts a unique event_id on every frame it sends', async () => {
    const { session } = fx.make({ config: { tools: [WEATHER_TOOL] } });
    void session.start();
    await handshake(fx.puppet, session);
    session.appendAudio(new Int16Array(320));
    session.updateTools([]);
    session.cancelResponse();
    await barrier(fx.puppet, session);
    const frames = fx.puppet.sent();
    expect(frames.map((f) => f.type)).to.include.members(['session.configure', 'input_audio_buffer.append', 'session.update', 'response.cancel']);
    const ids = frames.map((f) => f.event_id);
    for (const id of ids) expect(id).to.match(/^cl_[0-9a-f]{16}$/);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('rejects unknown config keys and a voice of another model before connecting', async () => {
    for (const [options, pattern] of [
      [{ config: { instuctions: 'typo' } as never }, /instuctions/],
      [{ model: 'hydra-v1.1' as const, config: { voice: 'sterling' } }, /sterling.*hydra-v1\.1/],
      [{ config: { tools: [{ type: 'function', name: '' }] } as never }, /tools/],
    ] as const) {
      const { session, of } = fx.make(options);
      const error = await session.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(HydraError);
      expect((error as HydraError).code).to.equal('invalid_config');
      expect((error as HydraError).message).to.match(pattern);
      expect(session.state).to.equal('error');
      expect(of('error')).to.have.length(1);
      expect(of('error')[0]!.fatal).to.be.true;
    }
    expect(fx.puppet.connections()).to.equal(0);
  });

  it('updateTools: into the configure before session.created, session.update after session.configured', async () => {
    const { session } = fx.make();
    void session.start();
    session.updateTools([WEATHER_TOOL]);
    const configure = await handshake(fx.puppet, session);
    expect(configure.session).to.deep.equal({ tools: [WEATHER_TOOL] });
    session.updateTools([]);
    const update = await fx.puppet.frame('session.update');
    expect(update.session).to.deep.equal({ tools: [] });
  });

  it('updateTools between session.configure and session.configured is sent once configured', async () => {
    const { session } = fx.make();
    void session.start();
    await fx.puppet.connection(0);
    fx.puppet.send({ type: 'session.created', event_id: sv(), session_id: 's' });
    await fx.puppet.frame('session.configure');
    session.updateTools([WEATHER_TOOL]);
    await barrier(fx.puppet, session).catch(() => undefined); // not configured: cancel is a no-op
    expect(fx.puppet.sent('session.update')).to.have.length(0);
    fx.puppet.send({ type: 'session.configured', event_id: sv(), session: {} });
    const update = await fx.puppet.frame('session.update');
    expect(update.session).to.deep.equal({ tools: [WEATHER_TOOL] });
  });

  it('invalid tools in updateTools are an error event and send nothing', async () => {
    const { session, of } = fx.make();
    void session.start();
    await handshake(fx.puppet, session);
    session.updateTools([{ type: 'function', name: 42 } as never]);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('session.update')).to.have.length(0);
    expect(of('error')).to.have.length(1);
    expect(of('error')[0]).to.include({ code: 'invalid_config', fatal: false });
  });

  it('cancelResponse sends response.cancel for the response in flight', async () => {
    const { session } = fx.make();
    void session.start();
    await handshake(fx.puppet, session);
    fx.puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_c' } });
    await nextEvent(session, 'response-start');
    session.cancelResponse();
    const cancel = await fx.puppet.frame('response.cancel');
    expect(cancel.response_id).to.equal('resp_c');
  });

  it('reports a warning frame (model_deprecated) as a warning event', async () => {
    const { session, of } = fx.make({ model: 'hydra', config: { voice: 'wren' } });
    void session.start();
    await fx.puppet.connection(0);
    fx.puppet.send({ type: 'warning', event_id: sv(), code: 'model_deprecated', message: 'use hydra-v1.0' });
    await handshake(fx.puppet, session);
    expect(of('warning')[0]).to.deep.equal({ code: 'model_deprecated', message: 'use hydra-v1.0' });
  });

  it('emits frame events both ways with audio payloads elided', async () => {
    const { session, of } = fx.make();
    void session.start();
    await handshake(fx.puppet, session);
    session.appendAudio(new Int16Array(320).fill(1));
    fx.puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'r' } });
    fx.puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'r', delta: btoa('\u0001\u0000\u0002\u0000') });
    await nextEvent(session, 'audio');
    const frames = of('frame');
    const out = frames.find((f) => f.direction === 'out' && (f.frame as any).type === 'input_audio_buffer.append');
    const inn = frames.find((f) => f.direction === 'in' && (f.frame as any).type === 'response.output_audio.delta');
    expect((out!.frame as any).audio).to.equal('<640 bytes>');
    expect((inn!.frame as any).delta).to.equal('<4 bytes>');
    expect(frames.some((f) => f.direction === 'out' && (f.frame as any).type === 'session.configure')).to.be.true;
    expect(frames.some((f) => f.direction === 'in' && (f.frame as any).type === 'session.created')).to.be.true;
  });

  it('stop() closes with 1000, clears every timer, and starts no new connection', async () => {
    const { session, timers } = fx.make();
    void session.start();
    await handshake(fx.puppet, session);
    expect(timers.pending).to.be.greaterThan(0); // keep-alive
    session.stop();
    const closed = (await fx.puppet.waitFor((e) => e.ev === 'close' && e.conn === 0)) as { code: number };
    expect(closed.code).to.equal(1000);
    expect(timers.pending).to.equal(0);
    expect(session.state).to.equal('idle');
    timers.advance(120_000);
    expect(fx.puppet.connections()).to.equal(1);
    session.appendAudio(new Int16Array(320));
    expect(session.droppedAudioChunks).to.equal(1);
  });

  it('stop() during the handshake rejects start() with code stopped', async () => {
    const { session, timers } = fx.make();
    const started = session.start();
    await fx.puppet.connection(0);
    session.stop();
    const error = await started.then(() => undefined, (e: HydraError) => e);
    expect(error?.code).to.equal('stopped');
    expect(timers.pending).to.equal(0);
  });
});
