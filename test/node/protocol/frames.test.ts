// Every frame type, both directions: a valid sample parses to the same object, and
// malformed variants (missing required fields, wrong field types, unknown types, invalid
// JSON, oversized, non-objects, binary) come back as typed failures, never as throws.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLIENT_FRAME_TYPES,
  DEFAULT_MAX_FRAME_BYTES,
  ERROR_CODES,
  SERVER_FRAME_TYPES,
  SessionConfig,
  parseClientFrame,
  parseServerFrame,
  isClientFrameType,
  isServerFrameType,
} from '../../../src/protocol/index.ts';
import type { ParseResult } from '../../../src/protocol/index.ts';
import { CLIENT_SAMPLES, REMOVE, SERVER_SAMPLES, getPath, withPath } from './samples.ts';

const directions = [
  { name: 'server', parse: parseServerFrame, types: SERVER_FRAME_TYPES, samples: SERVER_SAMPLES, other: CLIENT_SAMPLES },
  { name: 'client', parse: parseClientFrame, types: CLIENT_FRAME_TYPES, samples: CLIENT_SAMPLES, other: SERVER_SAMPLES },
] as const;

function failure(result: ParseResult<unknown>) {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return (result as Extract<ParseResult<unknown>, { ok: false }>).failure;
}

/** A value of a different JSON type than the one at the path. */
function wrongValue(v: unknown): unknown {
  if (typeof v === 'string') return 42;
  if (typeof v === 'number') return 'forty-two';
  if (typeof v === 'boolean') return 'yes';
  return v === null ? 42 : 'not-an-object';
}

for (const d of directions) {
  describe(`${d.name} frames`, () => {
    it('has a sample for exactly the known frame types', () => {
      assert.deepEqual([...d.types].sort(), Object.keys(d.samples).sort());
    });

    for (const [type, sample] of Object.entries(d.samples)) {
      describe(type, () => {
        it('parses a valid frame to an equal object', () => {
          const result = d.parse(JSON.stringify(sample.frame));
          assert.ok(result.ok, JSON.stringify(result));
          assert.deepEqual(result.frame, sample.frame);
        });

        for (const path of sample.required) {
          it(`rejects it without ${path}`, () => {
            const f = failure(d.parse(JSON.stringify(withPath(sample.frame, path, REMOVE))));
            assert.equal(f.kind, 'invalid_fields');
            assert.equal(f.type, type);
            assert.ok(f.issues!.some((i) => i.startsWith(path)), `issues ${JSON.stringify(f.issues)} should name ${path}`);
          });
        }

        for (const path of sample.typed) {
          it(`rejects a wrongly typed ${path}`, () => {
            const bad = withPath(sample.frame, path, wrongValue(getPath(sample.frame, path)));
            const f = failure(d.parse(JSON.stringify(bad)));
            assert.equal(f.kind, 'invalid_fields');
            assert.ok(f.issues!.some((i) => i.startsWith(path)), `issues ${JSON.stringify(f.issues)} should name ${path}`);
          });
        }

        it('reports the event_id of a frame that fails validation (servers echo it)', () => {
          const bad = { ...sample.frame, event_id: 'ev_x' };
          const path = sample.typed.find((p) => p !== 'event_id')!;
          const f = failure(d.parse(JSON.stringify(withPath(bad, path, wrongValue(getPath(bad, path))))));
          assert.equal(f.eventId, 'ev_x');
        });
      });
    }

    it("rejects the other direction's frame types as unknown", () => {
      for (const [type, sample] of Object.entries(d.other)) {
        const f = failure(d.parse(JSON.stringify(sample.frame)));
        assert.equal(f.kind, 'unknown_type', type);
        assert.equal(f.type, type);
      }
    });

    it('rejects unknown, missing and non-string types', () => {
      for (const frame of [{ type: 'session.destroy' }, { event_id: 'x' }, { type: 7 }, { type: null }, { type: '' }, { type: 'Session.Created' }]) {
        const f = failure(d.parse(JSON.stringify(frame)));
        assert.equal(f.kind, 'unknown_type', JSON.stringify(frame));
      }
    });

    it('rejects invalid JSON without throwing', () => {
      for (const text of ['', '{', '{"type":"error",}', "{'type':'error'}", 'undefined', '{"type":"x"}}', '\u0000']) {
        assert.equal(failure(d.parse(text)).kind, 'invalid_json', JSON.stringify(text));
      }
    });

    it('rejects JSON that is not an object', () => {
      for (const text of ['null', '[]', '[{"type":"error"}]', '42', '"session.created"', 'true']) {
        assert.equal(failure(d.parse(text)).kind, 'not_object', text);
      }
    });

    it('rejects binary and non-string data', () => {
      for (const data of [new ArrayBuffer(4), new Uint8Array([123, 125]), undefined, null, 5, { type: 'error' }]) {
        assert.equal(failure(d.parse(data)).kind, 'not_text');
      }
    });

    it('rejects oversized frames before parsing them, at the default and a custom limit', () => {
      const [type, sample] = Object.entries(d.samples)[0]!;
      const text = JSON.stringify(sample.frame);
      const padded = text.replace(/}$/, `,"pad":"${'x'.repeat(DEFAULT_MAX_FRAME_BYTES)}"}`);
      assert.equal(failure(d.parse(padded)).kind, 'too_large', type);
      assert.equal(failure(d.parse(text, { maxBytes: text.length - 1 })).kind, 'too_large');
      assert.ok(d.parse(text, { maxBytes: text.length }).ok);
    });

    it('type guards agree with the type lists', () => {
      const guard = d.name === 'server' ? isServerFrameType : isClientFrameType;
      for (const t of d.types) assert.ok(guard(t));
      assert.equal(guard('nope'), false);
    });
  });
}

describe('field rules the client depends on', () => {
  it('server frames keep unknown fields (forward compatible)', () => {
    const r = parseServerFrame(JSON.stringify({ type: 'session.created', session_id: 's', future: { x: 1 } }));
    assert.ok(r.ok);
    assert.deepEqual((r.frame as Record<string, unknown>).future, { x: 1 });
  });

  it('session.configure rejects unknown keys in session (a typo would ship the default persona)', () => {
    const f = failure(parseClientFrame(JSON.stringify({ type: 'session.configure', session: { instuctions: 'hi' } })));
    assert.equal(f.kind, 'invalid_fields');
    assert.equal(SessionConfig.safeParse({ instuctions: 'hi' }).success, false);
    assert.equal(SessionConfig.safeParse({ instructions: 'hi', voice: 'zoe', tools: [], generate_initial_response: true }).success, true);
  });

  it('session.update accepts only tools', () => {
    assert.equal(failure(parseClientFrame(JSON.stringify({ type: 'session.update', session: { voice: 'zoe' } }))).kind, 'invalid_fields');
  });

  it('tools need type "function" and a non-empty name', () => {
    for (const tool of [{ type: 'function', name: '' }, { type: 'function' }, { type: 'code', name: 'x' }, { name: 'x' }, 'get_time']) {
      assert.equal(SessionConfig.safeParse({ tools: [tool] }).success, false, JSON.stringify(tool));
    }
  });

  it('integers must be integers', () => {
    const frame = { type: 'input_audio_buffer.speech_started', audio_start_ms: 12.5, item_id: 'i' };
    assert.equal(failure(parseServerFrame(JSON.stringify(frame))).kind, 'invalid_fields');
  });

  it('every response.done status and reason of the digest parses; others do not', () => {
    const cases: [string, string | undefined][] = [
      ['completed', undefined],
      ['cancelled', 'interrupted'],
      ['cancelled', 'client_cancelled'],
      ['incomplete', 'max_output_tokens'],
      ['incomplete', 'content_filter'],
      ['failed', undefined],
    ];
    for (const [status, reason] of cases) {
      const frame = { type: 'response.done', response: { id: 'r', status, status_details: reason ? { reason } : { error: { code: 'x', type: 'server_error' } } } };
      assert.ok(parseServerFrame(JSON.stringify(frame)).ok, `${status}/${reason}`);
    }
    assert.ok(!parseServerFrame(JSON.stringify({ type: 'response.done', response: { id: 'r', status: 'in_progress' } })).ok);
    assert.ok(!parseServerFrame(JSON.stringify({ type: 'response.done', response: { id: 'r', status: 'cancelled', status_details: { reason: 'bored' } } })).ok);
  });

  it('every error code of the digest parses, and an unknown code still parses so it can be reported', () => {
    assert.deepEqual([...ERROR_CODES].sort(), ['internal_error', 'invalid_audio', 'invalid_frame', 'invalid_request_error', 'server_full', 'tool_response_timeout']);
    for (const code of [...ERROR_CODES, 'brand_new_code']) {
      const r = parseServerFrame(JSON.stringify({ type: 'error', event_id: 'sv', error: { type: 'x', code, message: 'm', param: null, event_id: null } }));
      assert.ok(r.ok, code);
    }
  });

  it('conversation items accept null text for audio parts and reject unknown enum values', () => {
    const item = (extra: object) => JSON.stringify({ type: 'conversation.item.done', item: { id: 'i', ...extra } });
    assert.ok(parseServerFrame(item({ content: [{ type: 'output_audio', text: null }] })).ok);
    assert.ok(!parseServerFrame(item({ role: 'robot' })).ok);
    assert.ok(!parseServerFrame(item({ status: 'done' })).ok);
    assert.ok(!parseServerFrame(item({ content: [{ type: 'video' }] })).ok);
  });
});
