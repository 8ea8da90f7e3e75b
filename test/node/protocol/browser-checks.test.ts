// The browser validates with hand-written checks (src/protocol/browser-checks.ts) so the
// shipped script carries no zod; the zod schemas stay the source of truth. This proves the
// two agree: on the spec's examples, on every sample frame, and on thousands of fuzzed
// variants of them (same verdict, same parsed value, same problem paths).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import {
  BROWSER_SERVER_FRAME_TYPES,
  ContentPartType,
  ItemRole,
  ItemStatus,
  ItemType,
  RESPONSE_REASONS,
  RESPONSE_REASON_VALUES,
  RESPONSE_STATUSES,
  RESPONSE_STATUS_VALUES,
  SERVER_FRAME_TYPES,
  ServerFrame,
  SessionConfig,
  Tool,
  checkSessionConfig,
  checkToolList,
  parseServerFrame,
} from '../../../src/protocol/index.ts';
import { ITEM_ENUMS } from '../../../src/protocol/browser-checks.ts';
import { SERVER_SAMPLES } from './samples.ts';

interface SpecExample {
  direction: 'client' | 'server';
  message: string;
  example: string;
  payload: Record<string, unknown>;
}
const examples = JSON.parse(readFileSync(new URL('../../fixtures/spec-examples.json', import.meta.url), 'utf8')) as SpecExample[];

/** Problem paths of a zod result, formatted like the browser checks ("(root)" for the top). */
function zodPaths(issues: readonly { path: readonly PropertyKey[] }[]): string[] {
  return [...new Set(issues.map((i) => i.path.map(String).join('.') || '(root)'))].sort();
}

/** Problem paths of the browser checks' "path: message" lines. */
function browserPaths(issues: readonly string[]): string[] {
  return [...new Set(issues.map((i) => i.slice(0, i.indexOf(': '))))].sort();
}

/** Asserts zod and the browser parser agree on one frame (given as text, as it arrives). */
function agreeOnFrame(text: string, what: string): boolean {
  const browser = parseServerFrame(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    assert.equal(browser.ok, false, what);
    return false;
  }
  const known = typeof json === 'object' && json !== null && (SERVER_FRAME_TYPES as readonly unknown[]).includes((json as { type?: unknown }).type);
  if (!known) {
    assert.equal(browser.ok, false, what);
    return false;
  }
  const zod = ServerFrame.safeParse(json);
  assert.equal(browser.ok, zod.success, `${what}: browser ${JSON.stringify(browser)} vs zod ${JSON.stringify(zod.error?.issues)}`);
  if (browser.ok && zod.success) assert.deepEqual(browser.frame, zod.data, what);
  if (!browser.ok && !zod.success) {
    assert.equal(browser.failure.kind, 'invalid_fields', what);
    assert.deepEqual(browserPaths(browser.failure.issues!), zodPaths(zod.error.issues), `${what}: problem paths`);
  }
  return browser.ok;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values of every JSON type, including the edges zod cares about (unsafe integers, -0, floats). */
const ODD_VALUES: unknown[] = [
  null, true, false, 0, -0, 1, -1, 1.5, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 1e300, '', 'x', 'completed', 'interrupted',
  'function', 'user', 'output_audio', [], [1], ['a'], {}, { id: 'r' }, { type: 'function', name: 'f' },
];

/** Every path (dotted) in a JSON value, objects and arrays alike. */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...paths(v, p)];
  });
}

function mutate(frame: Record<string, unknown>, rnd: () => number): Record<string, unknown> {
  const copy = structuredClone(frame);
  const all = paths(copy).filter((p) => p !== 'type');
  const edits = 1 + Math.floor(rnd() * 3);
  for (let n = 0; n < edits && all.length > 0; n++) {
    const path = all[Math.floor(rnd() * all.length)]!;
    const keys = path.split('.');
    let node: any = copy;
    for (const k of keys.slice(0, -1)) node = node?.[k];
    if (typeof node !== 'object' || node === null) continue;
    const last = keys.at(-1)!;
    const r = rnd();
    if (r < 0.3) delete node[last];
    else if (r < 0.9) node[last] = structuredClone(ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)]);
    else node[`extra_${n}`] = ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)];
  }
  return copy;
}

describe('browser checks agree with the zod schemas', () => {
  it('know the same server frame types and enum values', () => {
    assert.deepEqual(BROWSER_SERVER_FRAME_TYPES, [...SERVER_FRAME_TYPES]);
    assert.deepEqual([...RESPONSE_STATUS_VALUES], [...RESPONSE_STATUSES]);
    assert.deepEqual([...RESPONSE_REASON_VALUES], [...RESPONSE_REASONS]);
    assert.deepEqual(ITEM_ENUMS, { type: ItemType.options, role: ItemRole.options, status: ItemStatus.options, content: ContentPartType.options });
  });

  it('on every server example of the AsyncAPI spec', () => {
    const server = examples.filter((e) => e.direction === 'server');
    assert.ok(server.length > 0, 'the fixture has server examples');
    for (const e of server) assert.equal(agreeOnFrame(JSON.stringify(e.payload), `${e.message}/${e.example}`), true);
  });

  it('on every sample frame, and each one with a required field removed', () => {
    for (const [type, sample] of Object.entries(SERVER_SAMPLES)) {
      assert.equal(agreeOnFrame(JSON.stringify(sample.frame), type), true);
      for (const path of sample.required) {
        const keys = path.split('.');
        const copy: any = structuredClone(sample.frame);
        let node = copy;
        for (const k of keys.slice(0, -1)) node = node[k];
        delete node[keys.at(-1)!];
        assert.equal(agreeOnFrame(JSON.stringify(copy), `${type} without ${path}`), false);
      }
    }
  });

  it('on 20 000 fuzzed frames (seeded; both verdicts occur)', () => {
    const rnd = random(13);
    const bases = [...Object.values(SERVER_SAMPLES).map((s) => s.frame), ...examples.filter((e) => e.direction === 'server').map((e) => e.payload)];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const frame = mutate(bases[i % bases.length]!, rnd);
      if (agreeOnFrame(JSON.stringify(frame), `fuzz #${i} ${JSON.stringify(frame)}`)) accepted++;
    }
    assert.ok(accepted > 1000 && accepted < 19_000, `accepted ${accepted}`);
  });

  it('on numbers JSON.stringify never writes (1e400 is Infinity, 1.0 an integer)', () => {
    for (const n of ['1e400', '-1e400', '1.0', '1e2', '12.5', '9007199254740993']) {
      agreeOnFrame(`{"type":"input_audio_buffer.speech_started","audio_start_ms":${n},"item_id":"i"}`, n);
      agreeOnFrame(`{"type":"response.done","response":{"id":"r","status":"completed","usage":{"total_tokens":${n}}}}`, n);
    }
  });

  it('on session configurations and tool lists', () => {
    const rnd = random(7);
    const configs: unknown[] = [
      {},
      { instructions: 'x', voice: 'zoe', tools: [], generate_initial_response: true },
      { instuctions: 'typo' },
      { tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] },
      { tools: [{ type: 'function', name: '' }] },
      { tools: 'get_time' },
      null,
      [],
      'config',
    ];
    for (let i = 0; i < 3000; i++) configs.push(mutate({ config: structuredClone(configs[i % 4]) } as Record<string, unknown>, rnd).config);
    const ToolList = z.array(Tool);
    for (const config of configs) {
      const zod = SessionConfig.safeParse(config);
      const mine = checkSessionConfig(config);
      assert.equal(mine.ok, zod.success, JSON.stringify(config));
      if (!mine.ok && !zod.success) assert.deepEqual(browserPaths(mine.issues), zodPaths(zod.error.issues), JSON.stringify(config));
      const tools = (config as { tools?: unknown } | null)?.tools;
      if (tools !== undefined) assert.equal(checkToolList(tools).ok, ToolList.safeParse(tools).success, JSON.stringify(tools));
    }
  });
});
