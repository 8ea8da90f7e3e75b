import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listenSimulator, type ListeningSimulator, type ResponseTiming } from '../../../src/server/simulator/index.ts';
import { FAST, rms, speechFixture, TestClient, type Frame } from './helpers.ts';

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Current weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1 } },
    required: ['city', 'unit'],
  },
};
const time = { type: 'function', name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] } };
const unused = { type: 'function', name: 'book_flight', parameters: { type: 'object', properties: {} } };

let sim: ListeningSimulator;
const timings: ResponseTiming[] = [];
before(async () => {
  sim = await listenSimulator({ ...FAST, toolResponseWindowMs: 2000, onTiming: (t) => timings.push(t) });
});
after(() => sim.close());

const waitTiming = async (responseId: string) => {
  for (let i = 0; i < 200 && !timings.some((t) => t.responseId === responseId); i++) await new Promise((r) => setTimeout(r, 5));
  return timings.find((t) => t.responseId === responseId)!;
};

/** Reassembles each call from its deltas, checking the delta rules on the way. */
function callsOf(frames: Frame[], responseId: string) {
  const byCall = new Map<string, { name?: string; text: string; deltas: number; done?: Frame }>();
  for (const f of frames) {
    if (f.type === 'response.function_call_arguments.delta' && f.response_id === responseId) {
      const entry = byCall.get(f.call_id) ?? { text: '', deltas: 0 };
      if (entry.deltas === 0) entry.name = f.name;
      else assert.equal(f.name, undefined, 'name only on the first delta');
      entry.text += f.delta;
      entry.deltas++;
      byCall.set(f.call_id, entry);
    }
    if (f.type === 'response.function_call_arguments.done' && f.response_id === responseId) byCall.get(f.call_id)!.done = f;
  }
  return [...byCall.entries()].map(([callId, e]) => {
    assert.ok(e.done, `done for ${callId}`);
    assert.equal(e.done!.name, e.name);
    assert.equal(e.done!.arguments, e.text, 'done carries the concatenated deltas');
    return { callId, name: e.name!, args: JSON.parse(e.text) as Record<string, unknown>, deltas: e.deltas };
  });
}

describe('tool calls', () => {
  it('calls a tool the persona names, with schema-built arguments in several deltas, then narrates its output', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: 'Use get_weather for weather questions.', tools: [weather, unused] });
    const mark = c.frames.length;
    c.sendAudio(fx.pcm);
    const callResponse = await c.waitFor('response.done', { from: mark });
    const rid = callResponse.response.id as string;
    assert.equal(callResponse.response.status, 'completed');
    assert.deepEqual(c.types(mark), [
      'input_audio_buffer.speech_started',
      'conversation.item.added',
      'input_audio_buffer.speech_stopped',
      'conversation.item.done',
      'response.created',
      'conversation.item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'conversation.item.done',
      'response.done',
    ]);
    const [call] = callsOf(c.frames, rid);
    assert.equal(call!.name, 'get_weather');
    assert.ok(call!.deltas >= 2);
    assert.deepEqual(call!.args, { city: 'Paris', unit: 'celsius' });
    const item = callResponse.response.output[0];
    assert.deepEqual(
      { type: item.type, status: item.status, call_id: item.call_id, name: item.name, arguments: item.arguments },
      { type: 'function_call', status: 'completed', call_id: call!.callId, name: 'get_weather', arguments: JSON.stringify(call!.args) },
    );
    assert.ok(!c.frames.some((f) => f.type === 'response.output_audio.delta' && f.response_id === rid));

    const before = c.frames.length;
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call!.callId, output: JSON.stringify({ temperature: 18, sky: 'sunny' }) } });
    c.send({ type: 'response.create' });
    const narration = await c.waitFor('response.done', { from: before });
    assert.equal(narration.response.status, 'completed');
    assert.deepEqual(c.types(before).slice(0, 3), ['conversation.item.added', 'conversation.item.done', 'response.created']);
    assert.ok(rms(c.audioOf(narration.response.id)) > 500);
    const t = await waitTiming(narration.response.id);
    assert.equal(t.trigger, 'tool-narration');
    assert.equal(t.text, 'The get weather tool said: temperature 18, sky sunny.');
    // Tool V2V is measured from the original turn's speech_stopped.
    assert.equal(t.itemId, c.frames[mark]!.item_id);
    assert.ok(t.speechStoppedAt! < t.firstDeltaAt!);
    c.close();
  });

  it('one turn can call two tools; two outputs and ONE response.create give one narration of both', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: 'Helpful. [call:get_time] [call:get_weather]', tools: [weather, time] });
    c.sendAudio(fx.pcm);
    const callResponse = await c.waitFor('response.done');
    const calls = callsOf(c.frames, callResponse.response.id);
    assert.deepEqual(calls.map((x) => x.name), ['get_weather', 'get_time']); // declaration order
    assert.equal(callResponse.response.output.length, 2);
    assert.notEqual(calls[0]!.callId, calls[1]!.callId);
    const before = c.frames.length;
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: calls[0]!.callId, output: '{"sky":"rainy"}' } });
    c.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: calls[1]!.callId, output: 'noon' } });
    c.send({ type: 'response.create' });
    const narration = await c.waitFor('response.done', { from: before });
    const t = await waitTiming(narration.response.id);
    assert.equal(t.text, 'The get weather tool said: sky rainy. The get time tool said: noon.');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.frames.slice(before).filter((f) => f.type === 'response.created').length, 1);
    assert.ok(!c.types(before).includes('error'));
    c.close();
  });

  it('no outputs within the window → tool_response_timeout, the turn is abandoned, the next turn works', async () => {
    const fx = await speechFixture();
    const short = await listenSimulator({
      ...FAST,
      toolResponseWindowMs: 150,
      toolPolicy: ({ turn }) => (turn === 1 ? [{ name: 'get_weather', arguments: { city: 'Oslo' } }] : []),
      onTiming: (t) => timings.push(t),
    });
    try {
      const c = await TestClient.configured(short.url, { tools: [weather] });
      c.sendAudio(fx.pcm);
      const callResponse = await c.waitFor('response.done');
      assert.deepEqual(callsOf(c.frames, callResponse.response.id)[0]!.args, { city: 'Oslo' });
      const err = await c.waitFor('error');
      assert.equal(err.error.code, 'tool_response_timeout');
      // Abandoned: a late response.create is an ordinary response, not a narration.
      const mark = c.frames.length;
      c.sendAudio(fx.pcm);
      const next = await c.waitFor('response.done', { from: mark });
      assert.equal(next.response.status, 'completed');
      assert.equal(next.response.output[0].type, 'message');
      assert.equal((await waitTiming(next.response.id)).text?.startsWith('Reply 2.'), true);
      c.close();
    } finally {
      await short.close();
    }
  });

  it('tools not named in the persona are not called; session.update can add tools mid-session', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: 'You can check the weather.', tools: [weather] });
    c.sendAudio(fx.pcm);
    const plain = await c.waitFor('response.done');
    assert.equal(plain.response.output[0].type, 'message');
    c.send({ type: 'session.update', session: { tools: [weather, { ...unused, name: 'weather' }] } });
    await c.waitFor('session.updated');
    const mark = c.frames.length;
    c.sendAudio(fx.pcm);
    const second = await c.waitFor('response.done', { from: mark });
    assert.equal(second.response.output[0].type, 'function_call');
    assert.equal(second.response.output[0].name, 'weather');
    c.close();
  });

  it('an output for an unknown call_id is an invalid_request_error', async () => {
    const c = await TestClient.configured(sim.url, { tools: [weather] });
    c.send({ type: 'conversation.item.create', event_id: 'cl_out', item: { type: 'function_call_output', call_id: 'call_nope', output: 'x' } });
    const err = await c.waitFor('error');
    assert.equal(err.error.code, 'invalid_request_error');
    assert.equal(err.error.param, 'item.call_id');
    assert.equal(err.error.event_id, 'cl_out');
    c.close();
  });

  it('barge-in before the call arguments are done cancels the call response', async () => {
    const fx = await speechFixture();
    const slow = await listenSimulator({ ...FAST, toolCallLatencyMs: 400 });
    try {
      const c = await TestClient.configured(slow.url, { instructions: 'get_weather', tools: [weather] });
      c.sendAudio(fx.pcm);
      const created = await c.waitFor('response.created');
      c.sendAudio(fx.pcm); // speech starts long before the 400 ms tool latency elapses
      const done = await c.waitFor('response.done');
      assert.equal(done.response.id, created.response.id);
      assert.equal(done.response.status, 'cancelled');
      assert.equal(done.response.status_details.reason, 'interrupted');
      assert.ok(!c.frames.some((f) => f.type === 'response.function_call_arguments.done' && f.response_id === created.response.id));
      c.close();
    } finally {
      await slow.close();
    }
  });
});
