import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AudioStream } from '../../../src/server/simulator/audio-stream.ts';
import { resolveOptions } from '../../../src/server/simulator/options.ts';
import { defaultReplyText, replyModeFor, speakableOutput } from '../../../src/server/simulator/replies.ts';
import { sentences } from '../../../src/server/simulator/speech.ts';
import { argumentsFromSchema, defaultToolPolicy, planCalls, splitDeltas } from '../../../src/server/simulator/tool-policy.ts';

const tool = (name: string, parameters?: Record<string, unknown>) => ({ type: 'function' as const, name, ...(parameters ? { parameters } : {}) });

describe('arguments from JSON Schema', () => {
  it('fills required properties with plausible values by name, format, enum and type', () => {
    const args = argumentsFromSchema({
      type: 'object',
      properties: {
        city: { type: 'string' },
        email: { type: 'string' },
        when: { type: 'string', format: 'date-time' },
        unit: { type: 'string', enum: ['fahrenheit', 'celsius'] },
        count: { type: 'integer', minimum: 3, maximum: 9 },
        ratio: { type: 'number', maximum: 0.5 },
        flag: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
        nested: { type: 'object', properties: { zip: { type: 'string', minLength: 8 } }, required: ['zip'] },
        mode: { const: 'fast' },
        lang: { type: 'string', default: 'de' },
        optional: { type: 'string' },
      },
      required: ['city', 'email', 'when', 'unit', 'count', 'ratio', 'flag', 'tags', 'nested', 'mode', 'lang'],
    });
    assert.deepEqual(args, {
      city: 'Paris',
      email: 'user@example.com',
      when: '2026-01-15T12:00:00Z',
      unit: 'fahrenheit',
      count: 3,
      ratio: 0.5,
      flag: true,
      tags: ['example', 'example'],
      nested: { zip: 'examplex' },
      mode: 'fast',
      lang: 'de',
    });
  });

  it('includes every property when none is marked required, and handles nullable types and anyOf', () => {
    assert.deepEqual(argumentsFromSchema({ type: 'object', properties: { a: { type: ['null', 'integer'] }, b: { anyOf: [{ type: 'boolean' }] } } }), { a: 1, b: true });
    assert.deepEqual(argumentsFromSchema({ type: 'object' }), {});
  });
});

describe('default tool policy', () => {
  const tools = [tool('get_weather'), tool('get_time'), tool('weather')];

  it('calls tools named as whole words in the instructions, in declaration order', () => {
    assert.deepEqual(defaultToolPolicy({ sessionId: 's', turn: 1, tools, instructions: 'Use get_time, or get_weather.' }), ['get_weather', 'get_time']);
    // "get_weather_v2" does not mention get_weather; "weather" alone is its own tool.
    assert.deepEqual(defaultToolPolicy({ sessionId: 's', turn: 1, tools, instructions: 'get_weather_v2 only' }), []);
    assert.deepEqual(defaultToolPolicy({ sessionId: 's', turn: 1, tools, instructions: 'Talk about the weather.' }), ['weather']);
  });

  it('honours [call:name] markers', () => {
    assert.deepEqual(defaultToolPolicy({ sessionId: 's', turn: 1, tools, instructions: 'Be nice [call:get_time]' }), ['get_time']);
  });

  it('planCalls drops undeclared tools and keeps explicit arguments', () => {
    const plans = planCalls(['nope', { name: 'get_time', arguments: { tz: 'UTC' } }, 'get_weather'], [tool('get_weather', { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }), tool('get_time')]);
    assert.deepEqual(plans.map((p) => [p.tool.name, p.args]), [['get_time', { tz: 'UTC' }], ['get_weather', { city: 'Paris' }]]);
  });

  it('splitDeltas splits JSON into fragments that concatenate back', () => {
    const json = JSON.stringify({ city: 'Paris', unit: 'celsius' });
    const parts = splitDeltas(json, 3);
    assert.equal(parts.length, 3);
    assert.equal(parts.join(''), json);
    assert.deepEqual(splitDeltas('{}', 3), ['{', '}']);
  });
});

describe('replies', () => {
  it('picks the mode from markers in the instructions', () => {
    assert.equal(replyModeFor('Hi [PARROT]', 'scripted'), 'parrot');
    assert.equal(replyModeFor('[persona] Hi', 'parrot'), 'persona');
    assert.equal(replyModeFor('Hi', 'persona'), 'persona');
  });

  it('makes tool output speakable', () => {
    assert.equal(speakableOutput('{"temp_c":18,"sky":["sunny","dry"]}'), 'temp c 18, sky sunny, dry');
    assert.equal(speakableOutput('plain words'), 'plain words');
    assert.ok(speakableOutput(JSON.stringify({ text: 'x '.repeat(200) })).length <= 160);
  });

  it('persona mode rotates through the persona sentences', () => {
    const ctx = { sessionId: 's', trigger: 'turn' as const, turn: 3, utteranceMs: 1000, instructions: '[persona] One. Two! Three?', voice: 'zoe', toolOutputs: [] };
    assert.equal(defaultReplyText('persona', ctx), 'Three?');
    assert.equal(defaultReplyText('persona', { ...ctx, turn: 4 }), 'One.');
    assert.equal(defaultReplyText('scripted', ctx), 'Reply 3. I heard about one second of speech.');
    assert.deepEqual(sentences('Reply 3. I heard it!'), ['Reply 3.', 'I heard it!']);
  });
});

describe('AudioStream', () => {
  it('sends what is due within the lead at once, and nothing after cancel()', async () => {
    const sent: number[] = [];
    const pcm = new Int16Array(48_000); // 1 s = 25 chunks of 40 ms
    const stream = new AudioStream(pcm, { chunkMs: 40, speed: 1, leadMs: 100, sampleRate: 48_000, now: () => 0 }, (chunk, i) => {
      assert.equal(chunk.length, 1920);
      sent.push(i);
    });
    assert.equal(stream.chunkCount, 25);
    const ended = stream.start();
    assert.deepEqual(sent, [0, 1, 2]); // chunks starting at 0, 40, 80 ms are within 100 ms
    stream.cancel();
    assert.equal(await ended, 'cancelled');
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(sent, [0, 1, 2]);
    assert.equal(stream.sentMs, 120);
  });

  it('unpaced (speed Infinity) sends everything, ending with a short final chunk', async () => {
    const sizes: number[] = [];
    const stream = new AudioStream(new Int16Array(5000), { chunkMs: 40, speed: Infinity, leadMs: 0, sampleRate: 48_000 }, (c) => sizes.push(c.length));
    assert.equal(await stream.start(), 'done');
    assert.deepEqual(sizes, [1920, 1920, 1160]);
  });

  it('follows the clock: a chunk is sent only once it is due', async () => {
    let now = 0;
    const sent: number[] = [];
    const stream = new AudioStream(new Int16Array(4 * 1920), { chunkMs: 40, speed: 2, leadMs: 0, sampleRate: 48_000, now: () => now }, (_c, i) => sent.push(i));
    const ended = stream.start();
    assert.deepEqual(sent, [0]);
    now = 20; // 20 ms wall at speed 2 = 40 ms of audio: chunk 1 is due
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(sent, [0, 1]);
    now = 1000;
    assert.equal(await ended, 'done');
    assert.deepEqual(sent, [0, 1, 2, 3]);
  });
});

describe('options', () => {
  it('fills defaults close to the service and validates', () => {
    const o = resolveOptions();
    assert.equal(o.idleTimeoutMs, 30_000);
    assert.equal(o.speed, 1);
    assert.equal(o.vad.frameMs, 20);
    assert.equal(o.apiKeyCheck('', undefined as never), false);
    assert.equal(o.apiKeyCheck('k', undefined as never), true);
    assert.equal(resolveOptions({ vad: { minSpeechMs: 50, mode: undefined } }).vad.mode, 2);
    assert.throws(() => resolveOptions({ vad: { frameMs: 25 as never } }), RangeError);
    assert.throws(() => resolveOptions({ speed: 0 }), RangeError);
    assert.throws(() => resolveOptions({ idleTimeoutMs: -1 }), RangeError);
  });
});
