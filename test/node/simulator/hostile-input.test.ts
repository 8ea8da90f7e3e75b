// Each input that used to crash or freeze the whole `npm start` process (issue #10's table),
// sent by an outside client with a valid relay token, through the same stack as `npm start`:
// token endpoint, relay and simulator in this one process. Each gets a clear error or a
// bounded answer, while a bystander session keeps its round trips, the token endpoint
// keeps minting, no exception escapes a session, and the event loop is never held
// (LoopMeter: main-thread CPU time between two 1 ms ticks, so a loaded machine cannot fake it).
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { startDevServer, type DevServer } from '../../../src/server/dev-server.ts';
import { LIMITS, type ResponseTiming } from '../../../src/server/simulator/index.ts';
import { http } from '../relay/helpers.ts';
import { concat, FAST, silence, speechFixture, TestClient } from './helpers.ts';
import { LoopMeter } from './loop-meter.ts';

/** The longest the event loop may stay busy at once, whatever a client sends. */
const MAX_BLOCK_MS = 100;

let dev: DevServer;
let origin: string;
const internalErrors: Error[] = [];
const timings: ResponseTiming[] = [];
let bystander: TestClient;
let keepAlive: ReturnType<typeof setInterval>;
let meter: LoopMeter;

async function token(): Promise<string> {
  const res = await http(`http://127.0.0.1:${dev.port}/api/hydra-token`, { method: 'POST', headers: { Origin: origin } });
  assert.equal(res.status, 200, 'the token endpoint answers');
  return JSON.parse(res.body).token as string;
}

/** A session through the relay, as a page would open it (configured unless `session` is null). */
async function relaySession(session: Record<string, unknown> | null = {}): Promise<TestClient> {
  const url = `ws://127.0.0.1:${dev.port}/hydra`;
  const query = { model: 'hydra-v1.1', api_key: await token() };
  if (session) return TestClient.configured(url, session, query, { origin });
  const c = await TestClient.connect(url, query, { origin });
  await c.waitFor('session.created');
  return c;
}

let rounds = 0;
/** One bystander round trip: a tools change and its echo. */
async function bystanderRoundTrip(): Promise<void> {
  const name = `tool_${++rounds}`;
  const mark = bystander.frames.length;
  bystander.send({ type: 'session.update', session: { tools: [{ type: 'function', name }] } });
  await bystander.waitFor((f) => f.type === 'session.updated' && f.session.tools[0].name === name, { from: mark, timeoutMs: 30_000 });
}

/** After an attack: nothing else noticed. */
async function assertOthersCarriedOn(): Promise<void> {
  await bystanderRoundTrip();
  await token();
  const { longestBlockMs, clock } = meter.stop();
  assert.ok(longestBlockMs < MAX_BLOCK_MS, `event loop held for ${longestBlockMs.toFixed(1)} ms (${clock})`);
  assert.deepEqual(internalErrors.map((e) => e.message), [], 'no exception reached a session boundary');
}

const deep = (levels: number) => `${'{"ab":'.repeat(levels)}1${'}'.repeat(levels)}`;
const spliced = (frame: Record<string, unknown>, deepJson: string) => JSON.stringify(frame).replace('"@DEEP@"', deepJson);

before(async () => {
  dev = await startDevServer({
    port: 0,
    upstream: 'simulator',
    simulator: { ...FAST, toolResponseWindowMs: 5000, onInternalError: (e) => internalErrors.push(e), onTiming: (t) => timings.push(t) },
  });
  origin = `http://localhost:${dev.port}`;
  bystander = await relaySession({});
  // A real page streams its microphone all along, which also keeps the session from idling out.
  keepAlive = setInterval(() => bystander.sendAudio(silence(40)), 1000);
  await speechFixture();
});
after(async () => {
  clearInterval(keepAlive);
  bystander.close();
  await dev.close();
});
beforeEach(async () => {
  await bystanderRoundTrip();
  meter = new LoopMeter().start();
});
afterEach(() => meter.stop());

describe('hostile input through the relay: the sender gets an answer, nobody else notices', () => {
  it('~6000-level nesting in session.configure tools, a conversation.item.create field or session.update → invalid_frame', async () => {
    const nested = deep(6000);
    assert.ok(nested.length > 40_000);
    const fresh = await relaySession(null);
    fresh.ws.send(spliced({ type: 'session.configure', event_id: 'cl_deep', session: { tools: [{ type: 'function', name: 't', parameters: '@DEEP@' }] } }, nested));
    const refused = await fresh.waitFor('error');
    assert.equal(refused.error.code, 'invalid_frame');
    assert.equal(refused.error.event_id, 'cl_deep');
    assert.match(refused.error.message, /64 levels/);
    fresh.send({ type: 'session.configure', session: {} }); // still unconfigured: a corrected configure works
    await fresh.waitFor('session.configured');

    const mark = fresh.frames.length;
    fresh.ws.send(spliced({ type: 'conversation.item.create', event_id: 'cl_item', item: { type: 'message', extra: '@DEEP@' } }, nested));
    fresh.ws.send(spliced({ type: 'session.update', event_id: 'cl_update', session: { tools: [{ type: 'function', name: 'x', parameters: '@DEEP@' }] } }, nested));
    fresh.send({ type: 'session.update', session: { tools: [{ type: 'function', name: 'after' }] } });
    await fresh.waitFor('session.updated', { from: mark });
    const errors = fresh.frames.slice(mark).filter((f) => f.type === 'error');
    assert.deepEqual(errors.map((e) => [e.error.code, e.error.event_id]), [['invalid_frame', 'cl_item'], ['invalid_frame', 'cl_update']]);
    fresh.close();
    await assertOthersCarriedOn();
  });

  it('a string parameter with minLength 1e9, then a spoken turn → a call with a bounded string', async () => {
    const fx = await speechFixture();
    const tool = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string', minLength: 1e9 } }, required: ['q'] } };
    const c = await relaySession({ instructions: 'Use lookup.', tools: [tool] });
    c.sendAudio(fx.pcm);
    const done = await c.waitFor('response.function_call_arguments.done');
    assert.equal(JSON.parse(done.arguments).q.length, LIMITS.arguments.stringChars);
    assert.equal((await c.waitFor('response.done')).response.status, 'completed');
    c.close();
    await assertOthersCarriedOn();
  });

  it('minItems 3e7 and minLength 3e8 → calls with bounded arrays and strings, at once', async () => {
    const fx = await speechFixture();
    const many = { type: 'function', name: 'many', parameters: { type: 'object', properties: { xs: { type: 'array', minItems: 3e7, items: { type: 'string', minLength: 3e8 } } } } };
    const long = { type: 'function', name: 'long', parameters: { type: 'object', properties: { s: { type: 'string', minLength: 3e8 } } } };
    const c = await relaySession({ instructions: 'Use many and long.', tools: [many, long] });
    c.sendAudio(fx.pcm);
    const done = await c.waitFor('response.done');
    const args = done.response.output.map((item: { arguments: string }) => item.arguments);
    assert.equal(args.length, 2);
    const xs = JSON.parse(args[0]).xs as string[];
    assert.ok(xs.length <= LIMITS.arguments.items && xs.length > 0);
    assert.ok(xs.every((x) => x.length <= LIMITS.arguments.stringChars));
    assert.equal(JSON.parse(args[1]).s.length, LIMITS.arguments.stringChars);
    assert.ok(args.every((a: string) => a.length <= LIMITS.arguments.totalChars + 512), 'arguments stay small');
    c.close();
    await assertOthersCarriedOn();
  });

  it('a persona of one 2000-word sentence, spoken → the reply is cut at a word boundary and synthesized off the event loop', async () => {
    const words = 'the quick brown foxes jumped over seventeen lazy dogs while bright kites drifted'.split(' ');
    const sentence = Array.from({ length: 2000 }, (_, i) => words[i % words.length]).join(' ');
    const persona = `[persona] ${sentence}.`;
    assert.ok(persona.length > 12_000);
    const c = await relaySession({ instructions: persona, generate_initial_response: true });
    const done = await c.waitFor('response.done', { timeoutMs: 60_000 });
    assert.equal(done.response.status, 'completed');
    const timing = timings.find((t) => t.responseId === done.response.id)!;
    assert.ok(timing.text!.length <= LIMITS.replyChars, `${timing.text!.length} characters spoken`);
    assert.ok(sentence.startsWith(timing.text!.slice(0, -1)) && timing.text!.endsWith('.'), `cut at a word boundary, ended like a sentence: …${timing.text!.slice(-40)}`);
    assert.ok(timing.audioMs < 60_000, `${timing.audioMs} ms of audio`);
    c.close();
    await assertOthersCarriedOn();
  });

  it('a tool name of 3000 words, spoken in the narration → the spoken name is capped', async () => {
    const fx = await speechFixture();
    const name = Array.from({ length: 3000 }, (_, i) => `word${i}`).join('_');
    const c = await relaySession({ instructions: `Use ${name} for everything.`, tools: [{ type: 'function', name }] });
    c.sendAudio(fx.pcm);
    const call = await c.waitFor('response.function_call_arguments.done');
    assert.equal(call.name, name, 'the call itself carries the real name');
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: 'sunny' } });
    c.send({ type: 'response.create' });
    const narration = await c.waitFor((f) => f.type === 'response.done' && f.response.output[0]?.type === 'message', { timeoutMs: 60_000 });
    const text = timings.find((t) => t.responseId === narration.response.id)!.text!;
    assert.match(text, /^The word0 word1 word2 .* tool said: sunny\.$/);
    assert.ok(text.length <= LIMITS.spokenToolNameChars + 40, text);
    c.close();
    await assertOthersCarriedOn();
  });

  it('a 30-second utterance in parrot mode → played back, upsampled off the event loop', async () => {
    const fx = await speechFixture();
    const c = await relaySession({ instructions: '[parrot]' });
    const utterance = concat(...Array.from({ length: 12 }, () => fx.speech));
    assert.ok(utterance.length / 16_000 > 28);
    c.sendAudio(concat(silence(500), utterance, silence(1500)));
    const done = await c.waitFor('response.done', { timeoutMs: 60_000 });
    assert.equal(done.response.status, 'completed');
    const timing = timings.find((t) => t.responseId === done.response.id)!;
    assert.ok(timing.audioMs > 25_000, `${timing.audioMs} ms played back`);
    c.close();
    await assertOthersCarriedOn();
  });

  it('each new sentence spoken costs no file descriptor (40 narrations of new text)', async () => {
    const fx = await speechFixture();
    const c = await relaySession({ instructions: 'Use lookup.', tools: [{ type: 'function', name: 'lookup' }] });
    c.sendAudio(fx.pcm);
    const call = await c.waitFor('response.function_call_arguments.done');
    const narrate = async (i: number) => {
      const mark = c.frames.length;
      c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: `result number ${i} is ready` } });
      c.send({ type: 'response.create' });
      await c.waitFor('response.done', { from: mark, timeoutMs: 30_000 });
    };
    await narrate(0); // the synthesis worker is running from here on
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 1; i <= 40; i++) await narrate(i);
    const grew = fds() - before;
    assert.ok(grew <= 2, `${grew} more file descriptors after 40 new sentences`);
    c.close();
    await assertOthersCarriedOn();
  });
});
