import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFrame } from '../../../src/protocol/index.ts';
import { listenSimulator, type ListeningSimulator, type ResponseTiming, type TurnRecord } from '../../../src/server/simulator/index.ts';
import { speak } from '../../../src/server/simulator/speech.ts';
import { burst, concat, FAST, rms, silence, speechFixture, TestClient, type Frame } from './helpers.ts';

let sim: ListeningSimulator;
let live: ListeningSimulator; // real-time pacing, for barge-in and cancel
const timings: ResponseTiming[] = [];
const turns: TurnRecord[] = [];

before(async () => {
  sim = await listenSimulator({ ...FAST, onTiming: (t) => timings.push(t), onTurn: (t) => turns.push(t) });
  live = await listenSimulator({ speed: 1, replyLatencyMs: 0, leadMs: 100, onTiming: (t) => timings.push(t) });
});
after(async () => {
  await sim.close();
  await live.close();
});

const timingOf = (responseId: string) => timings.find((t) => t.responseId === responseId);
const waitTiming = async (responseId: string) => {
  for (let i = 0; i < 200 && !timingOf(responseId); i++) await new Promise((r) => setTimeout(r, 5));
  return timingOf(responseId)!;
};

/** The documented sequence of one user turn and its reply, deltas elided. */
const TURN_SEQUENCE = [
  'input_audio_buffer.speech_started',
  'conversation.item.added',
  'input_audio_buffer.speech_stopped',
  'conversation.item.done',
  'response.created',
  'conversation.item.added',
  'response.output_audio.done',
  'conversation.item.done',
  'response.done',
];

describe('a user turn', () => {
  it('speech yields exactly one turn with true offsets and a spoken 48 kHz reply', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { voice: 'aria' });
    const mark = c.frames.length;
    c.sendAudio(fx.pcm);
    const done = await c.waitFor('response.done');
    assert.deepEqual(c.types(mark), TURN_SEQUENCE);

    const started = await c.waitFor('input_audio_buffer.speech_started');
    const stopped = await c.waitFor('input_audio_buffer.speech_stopped');
    assert.ok(Math.abs(started.audio_start_ms - fx.onsetMs) <= 300, `start ${started.audio_start_ms} vs onset ${fx.onsetMs}`);
    assert.ok(Math.abs(stopped.audio_end_ms - fx.offsetMs) <= 300, `end ${stopped.audio_end_ms} vs offset ${fx.offsetMs}`);
    assert.equal(started.item_id, stopped.item_id);

    const frames = c.frames.slice(mark);
    const [userAdded, assistantAdded] = frames.filter((f) => f.type === 'conversation.item.added');
    assert.deepEqual(userAdded!.item, { id: started.item_id, type: 'message', role: 'user', status: 'in_progress', content: [{ type: 'input_audio', text: null }] });
    const userDone = frames.find((f) => f.type === 'conversation.item.done' && f.item.id === started.item_id)!;
    assert.equal(userDone.item.status, 'completed');
    assert.equal(assistantAdded!.item.role, 'assistant');
    assert.equal(assistantAdded!.previous_item_id, started.item_id);

    const responseId = (await c.waitFor('response.created')).response.id;
    assert.equal(done.response.id, responseId);
    assert.equal(done.response.status, 'completed');
    assert.equal(done.response.output[0].status, 'completed');
    assert.ok(done.response.usage.input_tokens > 0 && done.response.usage.output_tokens > 0);
    assert.equal(done.response.usage.total_tokens, done.response.usage.input_tokens + done.response.usage.output_tokens);

    const deltas = frames.filter((f) => f.type === 'response.output_audio.delta');
    assert.ok(deltas.length > 10, `${deltas.length} deltas`);
    for (const d of deltas) {
      assert.equal(d.response_id, responseId);
      assert.equal(d.item_id, assistantAdded!.item.id);
      assert.equal(d.output_index, 0);
      assert.equal(d.content_index, 0);
    }
    const audio = c.audioOf(responseId);
    const timing = await waitTiming(responseId);
    assert.match(timing.text!, /^Reply 1\. I heard about 2(\.5)? seconds of speech\.$/);
    // 48 kHz speech of exactly that sentence in the voice's stand-in, not silence.
    assert.equal(audio.length, (await speak(timing.text!, 'aria')).length);
    assert.ok(audio.length / 48_000 > 1 && audio.length / 48_000 < 8, `${audio.length / 48_000} s`);
    assert.ok(rms(audio) > 500, `rms ${rms(audio)}`);
    assert.equal(timing.audioMs, Math.round((audio.length / 48_000) * 1000));
    assert.ok(timing.speechStoppedAt! <= timing.firstDeltaAt!);
    for (const f of frames) assert.ok(parseServerFrame(JSON.stringify(f)).ok, f.type);
    c.close();
  });

  it('counts turns: the second reply names turn 2 and chains previous_item_id', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, {});
    c.sendAudio(fx.pcm);
    const first = await c.waitFor('response.done');
    const mark = c.frames.length;
    c.sendAudio(fx.pcm);
    const second = await c.waitFor('response.done', { from: mark });
    assert.match((await waitTiming(second.response.id)).text!, /^Reply 2\./);
    const userAdded = c.frames.slice(mark).find((f) => f.type === 'conversation.item.added')!;
    assert.equal(userAdded.previous_item_id, first.response.output[0].id);
    const started = c.frames.slice(mark).find((f) => f.type === 'input_audio_buffer.speech_started')!;
    // Offsets run from the start of the session's input audio, across turns.
    assert.ok(started.audio_start_ms > fx.pcm.length / 16, `${started.audio_start_ms}`);
    c.close();
  });

  it('silence produces no events at all', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, {});
    const mark = c.frames.length;
    c.sendAudio(silence(3000));
    // Frames are handled in order: anything the silence caused would arrive before the
    // first event of the speech that follows it.
    c.sendAudio(fx.pcm);
    const started = await c.waitFor('input_audio_buffer.speech_started', { from: mark });
    assert.equal(c.frames[mark], started);
    assert.ok(started.audio_start_ms >= 3000 + fx.onsetMs - 300);
    c.close();
  });

  it('a cough-length burst ends as an incomplete item with no response', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, {});
    const mark = c.frames.length;
    c.sendAudio(concat(silence(500), burst(120), silence(1500)));
    c.sendAudio(fx.pcm);
    await c.waitFor('response.done', { from: mark });
    assert.deepEqual(c.types(mark).slice(0, 5), [
      'input_audio_buffer.speech_started',
      'conversation.item.added',
      'input_audio_buffer.speech_stopped',
      'conversation.item.done',
      'input_audio_buffer.speech_started', // the next turn; no response in between
    ]);
    const cough = c.frames[mark + 3]!;
    assert.equal(cough.item.status, 'incomplete');
    const start = c.frames[mark]!.audio_start_ms as number;
    assert.ok(Math.abs(start - 500) <= 60, `cough start ${start}`);
    assert.equal(c.frames.slice(mark).filter((f) => f.type === 'response.created').length, 1);
    const record = turns.find((t) => t.itemId === cough.item.id)!;
    assert.equal(record.status, 'incomplete');
    assert.equal(record.audioStartMs, start);
    assert.ok(record.audioEndMs - record.audioStartMs < 200 && record.speechStoppedAt >= record.speechStartedAt);
    c.close();
  });

  it('audio sent before session.configured is dropped silently and not counted', async () => {
    const fx = await speechFixture();
    const c = await TestClient.connect(sim.url);
    await c.waitFor('session.created');
    c.sendAudio(fx.pcm);
    c.send({ type: 'input_audio_buffer.append', audio: '!!not base64!!' });
    c.send({ type: 'session.configure', session: {} });
    await c.waitFor('session.configured');
    const mark = c.frames.length;
    c.sendAudio(concat(silence(700), fx.pcm));
    const started = await c.waitFor('input_audio_buffer.speech_started', { from: mark });
    assert.deepEqual(c.types().slice(0, 3), ['session.created', 'session.configured', 'input_audio_buffer.speech_started']);
    // The clock starts with the first accepted chunk.
    assert.ok(Math.abs(started.audio_start_ms - (700 + fx.onsetMs)) <= 300, `${started.audio_start_ms}`);
    c.close();
  });
});

describe('modes', () => {
  it('parrot mode ([parrot] in instructions) answers with the user utterance upsampled to 48 kHz', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: 'Echo test [parrot]' });
    c.sendAudio(fx.pcm);
    const done = await c.waitFor('response.done');
    const start = (await c.waitFor('input_audio_buffer.speech_started')).audio_start_ms as number;
    const end = (await c.waitFor('input_audio_buffer.speech_stopped')).audio_end_ms as number;
    const audio = c.audioOf(done.response.id);
    assert.equal(audio.length, (end - start) * 16 * 3);
    // Decimated back to 16 kHz it matches the input it came from.
    const input = fx.pcm.subarray(start * 16, end * 16);
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let i = 0; i < input.length; i++) {
      const a = audio[i * 3]!;
      const b = input[i]!;
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    const correlation = dot / Math.sqrt(a2 * b2);
    assert.ok(correlation > 0.95, `correlation ${correlation}`);
    assert.equal((await waitTiming(done.response.id)).text, undefined);
    c.close();
  });

  it('persona mode speaks the persona sentences in turn', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, { instructions: '[persona] Ahoy there. I am a pirate.' });
    c.sendAudio(fx.pcm);
    const done = await c.waitFor('response.done');
    assert.equal((await waitTiming(done.response.id)).text, 'Ahoy there.');
    c.close();
  });

  it('replyText replaces the reply', async () => {
    const custom = await listenSimulator({ ...FAST, replyText: (ctx) => `Custom ${ctx.trigger} ${ctx.turn}.`, onTiming: (t) => timings.push(t) });
    try {
      const fx = await speechFixture();
      const c = await TestClient.configured(custom.url, {});
      c.sendAudio(fx.pcm);
      const done = await c.waitFor('response.done');
      assert.equal((await waitTiming(done.response.id)).text, 'Custom turn 1.');
      c.close();
    } finally {
      await custom.close();
    }
  });
});

describe('generate_initial_response', () => {
  it('makes the model speak first, with no speech_started', async () => {
    const c = await TestClient.configured(sim.url, { generate_initial_response: true });
    const done = await c.waitFor('response.done');
    assert.deepEqual(c.types(), [
      'session.created',
      'session.configured',
      'response.created',
      'conversation.item.added',
      'response.output_audio.done',
      'conversation.item.done',
      'response.done',
    ]);
    assert.equal(done.response.status, 'completed');
    assert.ok(rms(c.audioOf(done.response.id)) > 500);
    assert.equal((await waitTiming(done.response.id)).trigger, 'initial');
    c.close();
  });
});

describe('barge-in and response.cancel', () => {
  const deltasAfter = (c: TestClient, doneIndex: number, responseId: string) =>
    c.frames.slice(doneIndex + 1).filter((f) => f.type === 'response.output_audio.delta' && f.response_id === responseId).length;

  it('speech during a reply cancels it (cancelled/interrupted) and its audio stops at once', async () => {
    const fx = await speechFixture(700);
    const c = await TestClient.configured(live.url, {});
    c.sendAudio(fx.pcm);
    const firstDelta = await c.waitFor('response.output_audio.delta');
    const old = firstDelta.response_id as string;
    const mark = c.frames.length;
    c.sendAudio(fx.pcm);
    const cancelled = await c.waitFor((f) => f.type === 'response.done' && f.response.id === old);
    assert.equal(cancelled.response.status, 'cancelled');
    assert.equal(cancelled.response.status_details.reason, 'interrupted');
    assert.equal(cancelled.response.output[0].status, 'incomplete');
    const after = c.frames.slice(mark).filter((f) => f.type !== 'response.output_audio.delta').map((f) => f.type);
    assert.deepEqual(after.slice(0, 4), ['input_audio_buffer.speech_started', 'conversation.item.done', 'response.done', 'conversation.item.added']);
    // The new turn proceeds to its own reply.
    const next = await c.waitFor((f) => f.type === 'response.created' && f.response.id !== old, { from: mark });
    const doneIndex = c.frames.indexOf(cancelled);
    await c.waitFor((f) => f.type === 'response.output_audio.delta' && f.response_id === next.response.id);
    assert.equal(deltasAfter(c, doneIndex, old), 0);
    assert.ok(!c.frames.some((f) => f.type === 'response.output_audio.done' && f.response_id === old));
    assert.equal((await waitTiming(old)).reason, 'interrupted');
    c.close();
  });

  it('response.cancel ends the reply with cancelled/client_cancelled; with nothing in flight it is a no-op', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(live.url, {});
    c.send({ type: 'response.cancel' }); // nothing in flight
    c.sendAudio(fx.pcm);
    const firstDelta = await c.waitFor('response.output_audio.delta');
    c.send({ type: 'response.cancel', response_id: 'resp_other' }); // not the one in flight: ignored
    c.send({ type: 'response.cancel', response_id: firstDelta.response_id });
    const done = await c.waitFor('response.done');
    assert.equal(done.response.id, firstDelta.response_id);
    assert.equal(done.response.status, 'cancelled');
    assert.equal(done.response.status_details.reason, 'client_cancelled');
    const doneIndex = c.frames.indexOf(done);
    await new Promise((r) => setTimeout(r, 150)); // real-time pacing would have sent ~4 more chunks
    assert.equal(deltasAfter(c, doneIndex, firstDelta.response_id), 0);
    assert.ok(!c.types().includes('error'));
    c.close();
  });
});
