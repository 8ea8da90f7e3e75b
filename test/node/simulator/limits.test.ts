// The bounds behind "whatever a client sends only affects its own session", unit by unit:
// frame depth (shared parser), spoken text, synthesis pieces, generated tool arguments,
// linear-time scans of client text, and the typed server-frame builders.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_FRAME_DEPTH,
  errorFrame,
  nestsDeeperThan,
  parseClientFrame,
  parseServerFrame,
  serverFrame,
} from '../../../src/protocol/index.ts';
import { relayErrorFrame } from '../../../src/server/relay/error-frame.ts';
import { argumentsFromSchema, defaultToolPolicy, LIMITS } from '../../../src/server/simulator/index.ts';
import { capSpokenText, splitForSynthesis, spokenToolName } from '../../../src/server/simulator/limits.ts';
import { defaultReplyText, speakableOutput } from '../../../src/server/simulator/replies.ts';

const nested = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;
const depthOf = (value: unknown): number =>
  typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;

describe('frame depth (protocol parser, shared with the browser)', () => {
  it('counts objects and arrays, the frame itself being level 1, at any depth without recursion', () => {
    assert.equal(nestsDeeperThan(JSON.parse(nested(64)), 64), false);
    assert.equal(nestsDeeperThan(JSON.parse(nested(65)), 64), true);
    assert.equal(nestsDeeperThan({ a: [{ b: {} }] }, 4), false);
    assert.equal(nestsDeeperThan({ a: [{ b: {} }] }, 3), true);
    assert.equal(nestsDeeperThan('text', 0), false);
    assert.equal(nestsDeeperThan(JSON.parse(nested(400_000)), 64), true); // far deeper than any stack
  });

  it('parsers refuse frames nested deeper than the limit (default 64) as too_deep, keeping type and event_id', () => {
    assert.equal(DEFAULT_MAX_FRAME_DEPTH, 64);
    const frame = (levels: number) => `{"type":"conversation.item.create","event_id":"cl_1","item":{"type":"message","x":${nested(levels - 2)}}}`;
    assert.equal(parseClientFrame(frame(64)).ok, true);
    const refused = parseClientFrame(frame(65));
    assert.ok(!refused.ok);
    assert.deepEqual([refused.failure.kind, refused.failure.type, refused.failure.eventId], ['too_deep', 'conversation.item.create', 'cl_1']);
    assert.equal(parseClientFrame(frame(6000), { maxDepth: Infinity }).ok, true, 'Infinity skips the check');
    assert.equal(parseClientFrame(frame(10), { maxDepth: 8 }).ok, false);
    const server = `{"type":"session.created","event_id":"sv_1","session_id":"s","x":${nested(100)}}`;
    assert.equal(parseServerFrame(server).ok, false);
  });
});

describe('spoken text', () => {
  it('is cut at the last sentence boundary within the cap', () => {
    const text = `${'One short sentence here. '.repeat(40)}`;
    const cut = capSpokenText(text);
    assert.ok(cut.length <= LIMITS.replyChars);
    assert.ok(cut.endsWith('here.'));
    assert.equal(capSpokenText('  Short   and\nsweet.  '), 'Short and sweet.');
  });

  it('a sentence longer than the cap is cut at a word boundary and ended with a period; one endless word is cut hard', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`).join(' ');
    const cut = capSpokenText(words);
    assert.ok(cut.length <= LIMITS.replyChars);
    assert.match(cut, /word\d+\.$/);
    assert.ok(words.startsWith(cut.slice(0, -1)));
    assert.equal(capSpokenText('x'.repeat(5000)).length, LIMITS.replyChars);
  });

  it('tool names are spoken with spaces and at most spokenToolNameChars', () => {
    assert.equal(spokenToolName('get_weather'), 'get weather');
    const long = spokenToolName(Array.from({ length: 3000 }, (_, i) => `w${i}`).join('_'));
    assert.ok(long.length <= LIMITS.spokenToolNameChars);
    assert.match(long, /^w0 w1 w2 .* w\d+$/);
  });

  it('Flite gets pieces of at most synthesisChars, split after commas or between words, losing nothing', () => {
    const sentence = Array.from({ length: 120 }, (_, i) => (i % 9 === 8 ? `clause${i},` : `w${i}`)).join(' ');
    const pieces = splitForSynthesis(sentence);
    assert.ok(pieces.length > 1);
    assert.ok(pieces.every((p) => p.length <= LIMITS.synthesisChars && p.length > 0));
    assert.equal(pieces.join(' '), sentence);
  });
});

describe('generated tool arguments are bounded like a model output', () => {
  it('minItems, minLength and nesting are clamped, whatever the schema asks', () => {
    const args = argumentsFromSchema({
      type: 'object',
      properties: { xs: { type: 'array', minItems: 3e7, items: { type: 'string', minLength: 1e9 } }, s: { type: 'string', minLength: 3e8 } },
    }) as { xs: string[]; s: string };
    assert.ok(args.xs.length >= 1 && args.xs.length <= LIMITS.arguments.items);
    assert.ok(args.xs.every((x) => x.length <= LIMITS.arguments.stringChars));
    assert.ok(JSON.stringify(args).length <= LIMITS.arguments.totalChars + 512);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 60; i++) deep = { type: 'object', properties: { next: deep } };
    assert.ok(depthOf(argumentsFromSchema(deep)) <= LIMITS.arguments.depth + 1);
  });

  it('stops adding properties once the output is large; odd schemas still give valid JSON', () => {
    const required = Array.from({ length: 50_000 }, (_, i) => `property_${i}`);
    const wide = JSON.stringify(argumentsFromSchema({ type: 'object', required }));
    assert.ok(wide.length <= LIMITS.arguments.totalChars + 512, `${wide.length} characters`);
    const proto = argumentsFromSchema(JSON.parse('{"type":"object","properties":{"__proto__":{"type":"integer"}}}')) as object;
    assert.deepEqual(Object.keys(proto), ['__proto__'], '__proto__ stays a plain key');
    assert.equal(argumentsFromSchema({ type: 'number', minimum: JSON.parse('1e400') }), 0, 'JSON has no Infinity');
    const big = 'x'.repeat(LIMITS.arguments.totalChars * 2);
    assert.equal(argumentsFromSchema({ type: 'string', const: big }), 'example', 'an oversized const falls back to a generated value');
  });
});

describe('scans of client text are linear (no quadratic regex rescans)', () => {
  it('persona markers, [call:] markers and tool outputs of any shape', { timeout: 20_000 }, () => {
    const brackets = '['.repeat(300_000);
    assert.equal(defaultReplyText('persona', { sessionId: '', trigger: 'turn', turn: 1, utteranceMs: 0, instructions: `${brackets} Hi there.`, voice: 'maya', toolOutputs: [] }).length > 0, true);
    assert.deepEqual(defaultToolPolicy({ sessionId: '', turn: 1, instructions: `${'[call:'.repeat(100_000)}x`, tools: [{ type: 'function', name: 'x' }] }), ['x']);
    assert.ok(speakableOutput(nested(500_000)).length <= 160, 'a deeply nested output is flattened without recursion');
    assert.equal(speakableOutput('{"temp_c":18,"sky":["sunny","dry"]}'), 'temp c 18, sky sunny, dry');
  });
});

describe('server frames are built to the contract', () => {
  it('optional fields are left out, never null', () => {
    assert.deepEqual(serverFrame('conversation.item.added', 'sv_1', { previous_item_id: undefined, item: { id: 'i' } }), { type: 'conversation.item.added', event_id: 'sv_1', item: { id: 'i' } });
    assert.deepEqual(errorFrame('sv_2', { code: 'internal_error', message: 'm' }), { type: 'error', event_id: 'sv_2', error: { type: 'server_error', code: 'internal_error', message: 'm' } });
    assert.deepEqual(errorFrame('sv_3', { code: 'invalid_request_error', message: 'm', param: 'p', event_id: 'cl_1' }).error, { type: 'invalid_request_error', code: 'invalid_request_error', message: 'm', param: 'p', event_id: 'cl_1' });
  });

  it("the relay's error frame has the simulator's shape (error.type server_error / invalid_request_error)", () => {
    assert.match(relayErrorFrame('server_full', 'busy'), /^\{"type":"error","event_id":"relay_[0-9a-f]{16}","error":\{"type":"server_error","code":"server_full","message":"relay: busy"\}\}$/);
    assert.match(relayErrorFrame('invalid_request_error', 'token expired', 'api_key'), /"error":\{"type":"invalid_request_error","code":"invalid_request_error","message":"relay: token expired","param":"api_key"\}\}$/);
  });
});
