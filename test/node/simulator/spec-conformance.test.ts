// Every frame the simulator sends, across full conversations (greeting, spoken turns,
// barge-in, response.cancel, tool calls and narration, tool timeout, every error path,
// the deprecation warning, server_full) and the relay's own error frames, validates
// against the AsyncAPI contract's message schemas (test/fixtures/spec-schemas.json).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDevServer, type DevServer } from '../../../src/server/dev-server.ts';
import { listenSimulator, type FrameTap, type ListeningSimulator, type SimulatorOptions } from '../../../src/server/simulator/index.ts';
import { connect, json } from '../relay/helpers.ts';
import { FAST, speechFixture, TestClient } from './helpers.ts';
import { specValidator } from './spec-schemas.ts';

const spec = specValidator();
const sent: FrameTap[] = [];
const tap = (f: FrameTap) => {
  if (f.direction === 'sent') sent.push(f);
};
const sims: ListeningSimulator[] = [];
async function sim(options: SimulatorOptions): Promise<ListeningSimulator> {
  const s = await listenSimulator({ ...options, onFrame: tap, onInternalError: () => {} });
  sims.push(s);
  return s;
}

const weather = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const time = { type: 'function', name: 'get_time', description: 'Local time', parameters: { type: 'object', properties: { zone: { type: 'string' } } } };

let fast: ListeningSimulator;
let live: ListeningSimulator;
before(async () => {
  fast = await sim({ ...FAST, toolResponseWindowMs: 300 });
  live = await sim({ replyLatencyMs: 0, toolCallLatencyMs: 0 });
});
after(async () => {
  for (const s of sims) await s.close();
});

describe('the contract validator', () => {
  it('rejects the drifts it exists to catch (null previous_item_id and status_details, unknown fields, missing event_id)', () => {
    const item = { id: 'item_1', type: 'message', role: 'user', status: 'in_progress', content: [{ type: 'input_audio', text: null }] };
    assert.deepEqual(spec.validate('server', { type: 'conversation.item.added', event_id: 'sv_1', item }), []);
    assert.notDeepEqual(spec.validate('server', { type: 'conversation.item.added', event_id: 'sv_1', previous_item_id: null, item }), []);
    const usage = { input_tokens: 1, output_tokens: 2, total_tokens: 3 };
    assert.deepEqual(spec.validate('server', { type: 'response.done', event_id: 'sv_2', response: { id: 'r', status: 'completed', output: [], usage } }), []);
    assert.notDeepEqual(spec.validate('server', { type: 'response.done', event_id: 'sv_2', response: { id: 'r', status: 'completed', status_details: null, output: [], usage } }), []);
    assert.notDeepEqual(spec.validate('server', { type: 'response.done', event_id: 'sv_2', response: { id: 'r', status: 'failed', output: [], usage: null } }), []);
    assert.notDeepEqual(spec.validate('server', { type: 'session.created', event_id: 'sv_3', session_id: 's', sesion: 1 }), []);
    assert.notDeepEqual(spec.validate('server', { type: 'session.created', session_id: 's' }), []);
  });
});

describe('every simulator frame matches the contract', () => {
  it('greeting on the deprecated model (the warning comes first)', async () => {
    const c = await TestClient.connect(fast.url, { model: 'hydra' });
    await c.waitFor('session.created');
    c.send({ type: 'session.configure', session: { voice: 'wren', instructions: 'Greet briefly.', generate_initial_response: true } });
    await c.waitFor('response.done');
    assert.equal(c.frames[0]!.type, 'warning');
    c.close();
  });

  it('a spoken turn with the speech fixture, then session.update and a conversation item', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(fast.url, {});
    c.sendAudio(fx.pcm);
    await c.waitFor('response.done');
    c.send({ type: 'session.update', session: { tools: [weather] } });
    await c.waitFor('session.updated');
    c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }], extra: 'dropped' } });
    const echoed = await c.waitFor('conversation.item.done');
    assert.equal(echoed.item.extra, undefined, 'unknown item fields are not echoed');
    c.close();
  });

  it('barge-in and response.cancel', async () => {
    const fx = await speechFixture(700);
    const c = await TestClient.configured(live.url, {});
    c.sendAudio(fx.pcm);
    const first = await c.waitFor('response.output_audio.delta');
    c.sendAudio(fx.pcm);
    await c.waitFor((f) => f.type === 'response.done' && f.response.id === first.response_id);
    const second = await c.waitFor((f) => f.type === 'response.output_audio.delta' && f.response_id !== first.response_id);
    c.send({ type: 'response.cancel', response_id: second.response_id });
    const cancelled = await c.waitFor((f) => f.type === 'response.done' && f.response.id === second.response_id);
    assert.equal(cancelled.response.status_details.reason, 'client_cancelled');
    c.close();
  });

  it('two tool calls and their narration, then a tool timeout', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(fast.url, { instructions: 'Use get_weather and get_time.', tools: [weather, time] });
    c.sendAudio(fx.pcm);
    const calls = await c.waitFor('response.done');
    assert.equal(calls.response.output.length, 2);
    for (const call of calls.response.output) {
      c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: '{"ok":true}' } });
    }
    c.send({ type: 'response.create' });
    const mark = c.frames.length;
    await c.waitFor('response.done', { from: mark });
    c.sendAudio(fx.pcm); // calls again; this time nobody answers
    await c.waitFor((f) => f.type === 'error' && f.error.code === 'tool_response_timeout');
    c.close();
  });

  it('every error path: invalid_frame, invalid_audio, invalid_request_error (with param), internal_error', async () => {
    const c = await TestClient.connect(fast.url);
    await c.waitFor('session.created');
    c.send({ type: 'response.create', event_id: 'cl_early' }); // before configure
    c.send({ type: 'session.configure', event_id: 'cl_voice', session: { voice: 'nobody' } });
    c.send({ type: 'session.configure', session: { instructions: 'x'.repeat(40_000) } });
    c.send({ type: 'session.configure', session: { tools: Array.from({ length: 129 }, (_, i) => ({ type: 'function', name: `t${i}` })) } });
    c.send({ type: 'session.configure', session: { tools: [weather] } });
    await c.waitFor('session.configured');
    c.ws.send('{"type":');
    c.ws.send(Buffer.from([1, 2]), { binary: true });
    c.send({ type: 'nope', event_id: 'cl_unknown' });
    c.send({ type: 'session.update', session: { voice: 'maya' } });
    c.ws.send(`{"type":"conversation.item.create","item":{"type":"message","x":${'['.repeat(100)}${']'.repeat(100)}}}`);
    c.send({ type: 'input_audio_buffer.append', audio: '***' });
    c.send({ type: 'input_audio_buffer.append', audio: 'AAA=' });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_unknown', output: '1' } });
    c.send({ type: 'response.create' });
    c.send({ type: 'response.create', event_id: 'cl_busy' });
    await c.waitFor((f) => f.type === 'error' && f.error.event_id === 'cl_busy');
    await c.waitFor('response.done');
    const codes = new Set(c.frames.filter((f) => f.type === 'error').map((f) => f.error.code));
    assert.deepEqual([...codes].sort(), ['invalid_audio', 'invalid_frame', 'invalid_request_error']);
    c.close();

    const faulty = await sim({ ...FAST, faults: { failResponse: () => true } });
    const f = await TestClient.configured(faulty.url, { generate_initial_response: true });
    await f.waitFor((x) => x.type === 'error' && x.error.code === 'internal_error');
    f.close();

    const crashing = await sim({ ...FAST, replyText: () => { throw new Error('boom'); } });
    const k = await TestClient.configured(crashing.url, { generate_initial_response: true });
    assert.equal((await k.closed).code, 1011);
    assert.ok(k.frames.some((x) => x.type === 'error' && x.error.code === 'internal_error'));
  });

  it('server_full', async () => {
    const full = await sim({ ...FAST, maxSessions: 0 });
    const c = await TestClient.connect(full.url);
    assert.equal((await c.closed).code, 1013);
    assert.equal(c.frames[0]!.error.code, 'server_full');
  });

  it('all of it: every frame validates, and every server message of the contract was sent', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const f of sent) {
      const frame = JSON.parse(f.data);
      seen.add(frame.type);
      for (const p of spec.validate('server', frame)) problems.push(`${frame.type}: ${p} in ${f.data.slice(0, 200)}`);
    }
    assert.deepEqual(problems.slice(0, 10), []);
    assert.deepEqual(spec.types('server').filter((t) => !seen.has(t)), []);
    assert.ok(sent.length > 100, `${sent.length} frames checked`);
  });
});

describe("the relay's own error frames match the contract", () => {
  let dev: DevServer;
  before(async () => {
    dev = await startDevServer({ port: 0, upstream: 'simulator' });
  });
  after(() => dev.close());

  it('a rejected token gets a Hydra-shaped error frame', async () => {
    const origin = `http://localhost:${dev.port}`;
    const c = connect(`ws://127.0.0.1:${dev.port}/hydra`, { model: 'hydra-v1.1', api_key: 'not-a-token' }, origin);
    const frame = json(await c.frame(1));
    assert.equal(frame.error.code, 'invalid_request_error');
    assert.deepEqual(spec.validate('server', frame), []);
    await c.closed;
  });
});
