import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFrame, VOICES } from '../../../src/protocol/index.ts';
import { DEFAULT_INSTRUCTIONS, listenSimulator, type ListeningSimulator } from '../../../src/server/simulator/index.ts';
import { FAST, TestClient, type Frame } from './helpers.ts';

let sim: ListeningSimulator;
let keyed: ListeningSimulator;

before(async () => {
  sim = await listenSimulator({ ...FAST });
  keyed = await listenSimulator({ ...FAST, apiKeys: ['good-key'] });
});
after(async () => {
  await sim.close();
  await keyed.close();
});

async function refused(base: string, query: Record<string, string | undefined>): Promise<number> {
  const e = (await TestClient.connect(base, query).then(
    () => assert.fail('the upgrade should have been refused'),
    (err: unknown) => err,
  )) as { status?: number };
  return e.status ?? -1;
}

/** Every server frame must parse with the shared protocol schemas and carry an sv_ id. */
function assertWellFormed(frames: Frame[]): void {
  for (const f of frames) {
    const parsed = parseServerFrame(JSON.stringify(f));
    assert.ok(parsed.ok, `${f.type}: ${parsed.ok ? '' : parsed.failure.message}`);
    assert.match(f.event_id, /^sv_[0-9a-f]{16}$/);
  }
}

describe('upgrade', () => {
  it('answers a wrong or missing api_key with HTTP 401 and opens no socket', async () => {
    assert.equal(await refused(keyed.url, { api_key: 'bad-key' }), 401);
    assert.equal(await refused(keyed.url, { api_key: undefined }), 401);
    assert.equal(await refused(sim.url, { api_key: '' }), 401); // default: any non-empty key
    assert.equal(keyed.sessionCount(), 0);
    const ok = await TestClient.connect(keyed.url, { api_key: 'good-key' });
    await ok.waitFor('session.created');
    ok.close();
  });

  it('accepts a key check function', async () => {
    const fn = await listenSimulator({ apiKeys: (k) => k.startsWith('tok_') });
    try {
      assert.equal(await refused(fn.url, { api_key: 'nope' }), 401);
      const c = await TestClient.connect(fn.url, { api_key: 'tok_1' });
      await c.waitFor('session.created');
      c.close();
    } finally {
      await fn.close();
    }
  });

  it('answers an unknown model with HTTP 400; a missing model means hydra-v1.1', async () => {
    assert.equal(await refused(sim.url, { model: 'hydra-v9' }), 400);
    const c = await TestClient.configured(sim.url, { voice: 'zoe' }, { model: undefined });
    assert.equal((await c.waitFor('session.configured')).session.voice, 'zoe');
    c.close();
  });

  it('sends session.created first, with a session id, and no warning on current models', async () => {
    for (const model of ['hydra-v1.1', 'hydra-v1.0']) {
      const c = await TestClient.connect(sim.url, { model });
      const created = await c.waitFor('session.created');
      assert.equal(c.frames[0]!.type, 'session.created');
      assert.match(created.session_id, /^[0-9a-f-]{36}$/);
      assertWellFormed(c.frames);
      c.close();
    }
  });

  it('on model=hydra sends warning model_deprecated immediately before session.created', async () => {
    const c = await TestClient.connect(sim.url, { model: 'hydra' });
    await c.waitFor('session.created');
    assert.deepEqual(c.types(), ['warning', 'session.created']);
    assert.equal(c.frames[0]!.code, 'model_deprecated');
    assertWellFormed(c.frames);
    c.close();
  });
});

describe('session.configure', () => {
  it('echoes the applied configuration, defaulting voice to sterling and the persona when omitted', async () => {
    const c = await TestClient.configured(sim.url, {});
    const echo = await c.waitFor('session.configured');
    assert.deepEqual(echo.session, { instructions: DEFAULT_INSTRUCTIONS, voice: 'sterling', tools: [], generate_initial_response: false });
    assertWellFormed(c.frames);
    c.close();
  });

  it('echoes instructions, voice and tools as sent, and ignores unknown keys', async () => {
    const tools = [{ type: 'function', name: 'get_time', parameters: { type: 'object', properties: {} } }];
    const c = await TestClient.configured(sim.url, { instructions: 'Be terse.', voice: 'aria', tools, instuctions: 'typo', extra: 1 });
    const echo = await c.waitFor('session.configured');
    assert.deepEqual(echo.session, { instructions: 'Be terse.', voice: 'aria', tools, generate_initial_response: false });
    c.close();
  });

  it('a typo in instructions ships the default persona (unknown key ignored, not an error)', async () => {
    const c = await TestClient.configured(sim.url, { instuctions: 'You are a pirate.' });
    assert.equal((await c.waitFor('session.configured')).session.instructions, DEFAULT_INSTRUCTIONS);
    assert.ok(!c.types().includes('error'));
    c.close();
  });

  it('rejects a voice that is not on the model roster with invalid_request_error and param, then accepts a fix', async () => {
    for (const [model, voice] of [['hydra-v1.1', 'sterling'], ['hydra-v1.0', 'zoe'], ['hydra', 'nobody']] as const) {
      const c = await TestClient.connect(sim.url, { model });
      await c.waitFor('session.created');
      c.send({ type: 'session.configure', event_id: 'cl_voice', session: { voice } });
      const err = await c.waitFor('error');
      assert.equal(err.error.code, 'invalid_request_error');
      assert.equal(err.error.param, 'session.configure.session.voice');
      assert.equal(err.error.event_id, 'cl_voice');
      assert.ok(!c.types().includes('session.configured'));
      const good = VOICES[model][0]!;
      c.send({ type: 'session.configure', session: { voice: good } });
      assert.equal((await c.waitFor('session.configured')).session.voice, good);
      assertWellFormed(c.frames);
      c.close();
    }
  });

  it('honours exactly one session.configure: a second one gets no answer and changes nothing', async () => {
    const c = await TestClient.configured(sim.url, { voice: 'zoe', instructions: 'First.' });
    const mark = c.frames.length;
    c.send({ type: 'session.configure', session: { voice: 'maya', instructions: 'Second.' } });
    c.send({ type: 'session.configure', session: { voice: 42 } }); // even a broken one is ignored
    // A marker frame: its answer must be the next thing we see.
    c.send({ type: 'session.update', session: { tools: [{ type: 'function', name: 'marker' }] } });
    await c.waitFor('session.updated', { from: mark });
    assert.deepEqual(c.types(mark), ['session.updated']);
    c.close();
  });

  it('rejects wrongly typed configure fields with invalid_frame', async () => {
    const c = await TestClient.connect(sim.url);
    await c.waitFor('session.created');
    c.send({ type: 'session.configure', event_id: 'cl_bad', session: { voice: 42 } });
    const err = await c.waitFor('error');
    assert.equal(err.error.code, 'invalid_frame');
    assert.equal(err.error.event_id, 'cl_bad');
    c.close();
  });
});

describe('session.update', () => {
  const weather = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

  it('applies tools and echoes only the applied fields', async () => {
    const c = await TestClient.configured(sim.url, {});
    c.send({ type: 'session.update', session: { tools: [weather] } });
    const updated = await c.waitFor('session.updated');
    assert.deepEqual(updated.session, { tools: [weather] });
    c.close();
  });

  it('sends no echo for a no-op patch (same tools, or nothing)', async () => {
    const c = await TestClient.configured(sim.url, { tools: [weather] });
    const mark = c.frames.length;
    c.send({ type: 'session.update', session: { tools: [weather] } });
    c.send({ type: 'session.update', session: {} });
    c.send({ type: 'session.update', session: { tools: [] } }); // a real change: answered
    await c.waitFor('session.updated', { from: mark });
    assert.deepEqual(c.types(mark), ['session.updated']);
    assert.deepEqual(c.frames.at(-1)!.session, { tools: [] });
    c.close();
  });

  it('rejects unknown fields (persona, voice) with invalid_frame and keeps the session', async () => {
    const c = await TestClient.configured(sim.url, {});
    c.send({ type: 'session.update', event_id: 'cl_upd', session: { voice: 'zoe' } });
    const err = await c.waitFor('error');
    assert.equal(err.error.code, 'invalid_frame');
    assert.equal(err.error.event_id, 'cl_upd');
    c.send({ type: 'session.update', session: { tools: [weather] } });
    await c.waitFor('session.updated');
    c.close();
  });

  it('is an invalid_request_error before session.configure', async () => {
    const c = await TestClient.connect(sim.url);
    await c.waitFor('session.created');
    c.send({ type: 'session.update', event_id: 'cl_early', session: { tools: [] } });
    const err = await c.waitFor('error');
    assert.equal(err.error.code, 'invalid_request_error');
    assert.equal(err.error.event_id, 'cl_early');
    c.close();
  });
});
