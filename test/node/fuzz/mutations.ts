// Seeded, schema-aware mutations of client frames. Valid seed frames come from
// seedFrames(); the client message schemas of the AsyncAPI contract
// (test/fixtures/spec-schemas.json) say which fields exist and what type each has, so
// mutations hit real fields: wrong types, missing and extra fields, huge numbers, long and
// odd unicode strings, deep nesting, hostile tool schemas, and raw garbage frames.
// Deep values are spliced in as text: the fuzzer itself must never recurse over them.
import { SPEC } from '../simulator/spec-schemas.ts';

/** A small, fast, seeded PRNG (mulberry32). */
export class Rng {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** What goes on the wire: JSON text, raw bytes in a text frame (maybe invalid UTF-8), or a binary frame. */
export type WireFrame = { text: string } | { rawText: Buffer } | { binary: Buffer };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, any>;

// Raw JSON text spliced in after JSON.stringify: deep nesting, and numbers JSON.stringify cannot write.
const SPLICE = '\u0000splice:';
class Splices {
  private readonly parts: string[] = [];
  add(raw: string): string {
    this.parts.push(raw);
    return `${SPLICE}${this.parts.length - 1}`;
  }
  render(value: Json): string {
    return JSON.stringify(value).replace(/"\\u0000splice:(\d+)"/g, (_, i: string) => this.parts[Number(i)]!);
  }
}

const DEPTHS = [8, 40, 62, 63, 64, 65, 200, 6000, 100_000];
const HUGE_NUMBERS = ['1e308', '-1e308', '1e400', '-1e400', '1e-400', '9007199254740993', '-0', '3e7', '1e9', '0.1e1', '2147483648'];
const UNICODE = ['\ud800', '\udfff', '\u0000', '\ufeff', '\u202e', 'e\u0301\u0301\u0301', '😀👩‍👩‍👧‍👦', '\u{10ffff}', '\r\n\t', 'ﷺ', '\u2028\u2029', 'A'.repeat(3) + '\u0300'.repeat(50)];
const LENGTHS = [0, 1, 255, 256, 4_096, 40_000, 300_000, 900_000];

function clientSchema(type: string): Schema | undefined {
  return SPEC.messages.find((m) => m.direction === 'client' && m.type === type)?.schema;
}

function resolve(schema: Schema | undefined): Schema | undefined {
  if (!schema) return undefined;
  if (typeof schema.$ref === 'string') return SPEC.$defs[schema.$ref.split('/').pop()!];
  return schema;
}

/** Valid frames of every client type, as a well-behaved client sends them. */
export function seedFrames(audioChunk: string, callIds: readonly string[]): Record<string, unknown>[] {
  const weather = { type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
  return [
    { type: 'session.configure', event_id: 'cl_c', session: { instructions: 'Use get_weather. Be brief.', voice: 'maya', tools: [weather], generate_initial_response: false } },
    { type: 'session.update', event_id: 'cl_u', session: { tools: [weather, { type: 'function', name: 'get_time' }] } },
    { type: 'input_audio_buffer.append', event_id: 'cl_a', audio: audioChunk },
    { type: 'conversation.item.create', event_id: 'cl_i', item: { type: 'function_call_output', call_id: callIds[0] ?? 'call_0', output: '{"temp":18}' } },
    { type: 'conversation.item.create', event_id: 'cl_m', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } },
    { type: 'response.create', event_id: 'cl_r' },
    { type: 'response.cancel', event_id: 'cl_x', response_id: 'resp_0' },
  ];
}

/** A tool whose JSON Schema asks for something expensive or odd. */
export function hostileTool(rng: Rng, splices: Splices): Json {
  const name = rng.pick(['lookup', `t_${rng.int(1e6)}`, Array.from({ length: rng.pick([50, 3000]) }, (_, i) => `w${i}`).join('_'), 'x'.repeat(rng.pick([1, 64, 5000])), rng.pick(UNICODE)]);
  const property: Json = rng.pick<Json>([
    { type: 'string', minLength: rng.pick([1e9, 3e8, 256, -1]) },
    { type: 'array', minItems: rng.pick([3e7, 1e6, 16, -5]), items: { type: 'string', minLength: 1e6 } },
    { type: 'integer', minimum: 1e308, maximum: -1 },
    { type: ['null', 'object'], properties: { a: { type: 'array', items: { type: 'array', minItems: 1e4 } } } },
    { enum: Array.from({ length: 1000 }, (_, i) => i) },
    { const: 'c'.repeat(rng.pick([10, 10_000, 200_000])) },
    { anyOf: [{ oneOf: [{ allOf: [{ type: 'boolean' }] }] }] },
    { type: 'object', required: Array.from({ length: rng.pick([10, 20_000]) }, (_, i) => `p${i}`) },
    { type: 7, format: 'date-time', properties: 'nope' },
    splices.add(deepObject(rng.pick([30, 55]))),
  ]);
  return { type: 'function', name, parameters: { type: 'object', properties: { q: property, __proto__x: property }, required: ['q'] } };
}

function deepObject(levels: number): string {
  return `${'{"type":"object","properties":{"n":'.repeat(levels)}{"type":"string","minLength":1000000}${'}}'.repeat(levels)}`;
}

function deepValue(levels: number, rng: Rng): string {
  const [open, close] = rng.chance(0.5) ? ['[', ']'] : ['{"k":', '}'];
  return `${open.repeat(levels)}${rng.chance(0.5) ? '1' : '"x"'}${close.repeat(levels)}`;
}

function longString(rng: Rng): string {
  const length = rng.pick(LENGTHS);
  const unit = rng.pick(['a', 'word ', 'Sentence. ', rng.pick(UNICODE), '[call:', '[', '{"a":[']);
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/** A value of some JSON type other than the schema's. */
function wrongType(schema: Schema | undefined, rng: Rng, splices: Splices): Json {
  const type = resolve(schema)?.type;
  const candidates: Json[] = [null, true, 0, -1, 'text', [], {}, [1, 'two', null], { type: 'function' }, splices.add(rng.pick(HUGE_NUMBERS))];
  return rng.pick(candidates.filter((v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v) !== type));
}

/** A value the schema allows, but chosen to be awkward. */
function awkwardValid(schema: Schema | undefined, rng: Rng, splices: Splices): Json {
  const s = resolve(schema);
  if (s?.enum) return rng.pick(s.enum as Json[]);
  switch (s?.type) {
    case 'string':
      return rng.chance(0.5) ? longString(rng) : rng.pick(UNICODE).repeat(1 + rng.int(40));
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
    case 'number':
      return splices.add(rng.pick(HUGE_NUMBERS));
    case 'array':
      return s.items && resolve(s.items)?.required?.includes('name')
        ? Array.from({ length: rng.pick([0, 1, 3, 128, 129, 2000]) }, () => hostileTool(rng, splices))
        : Array.from({ length: rng.pick([0, 1, 1000]) }, () => awkwardValid(s.items, rng, splices));
    case 'object':
      return rng.chance(0.5) ? {} : Object.fromEntries(Object.keys(s.properties ?? {}).map((k) => [k, awkwardValid(s.properties[k], rng, splices)]));
    default:
      return rng.pick<Json>([null, 1, 'x', {}, []]);
  }
}

interface Slot {
  parent: Record<string, Json> | Json[];
  key: string | number;
  schema: Schema | undefined;
}

/** Every place in `value` (and every declared but absent property) a mutation can hit, with its schema. */
function slots(value: Json, schema: Schema | undefined, out: Slot[] = []): Slot[] {
  const s = resolve(schema);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push({ parent: value, key: i, schema: s?.items });
      slots(v, s?.items, out);
    });
  } else if (value !== null && typeof value === 'object') {
    const keys = new Set([...Object.keys(value), ...Object.keys(s?.properties ?? {})]);
    for (const key of keys) {
      out.push({ parent: value, key, schema: s?.properties?.[key] });
      if (key in value) slots(value[key]!, s?.properties?.[key], out);
    }
  }
  return out;
}

const setAt = (slot: Slot, v: Json) => ((slot.parent as Record<string | number, Json>)[slot.key] = v);

/** One mutation of `seed`; `kind` says which (for the run's statistics). */
export function mutate(seed: Record<string, unknown>, rng: Rng): { frame: WireFrame; kind: string } {
  const splices = new Splices();
  const frame = structuredClone(seed) as Record<string, Json>;
  const schema = clientSchema(String(seed.type));
  const targets = slots(frame, schema);
  const slot = rng.pick(targets);
  const kind = rng.pick(['type', 'missing', 'extra', 'number', 'unicode', 'length', 'depth', 'valid', 'tools', 'garbage', 'frame-type']);
  switch (kind) {
    case 'type':
      setAt(slot, wrongType(slot.schema, rng, splices));
      break;
    case 'missing':
      if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
      else delete slot.parent[slot.key as string];
      break;
    case 'extra': {
      const objects = targets.map((t) => t.parent).filter((p): p is Record<string, Json> => !Array.isArray(p));
      const target = rng.chance(0.3) ? frame : rng.pick(objects.length ? objects : [frame]);
      target[rng.pick(['extra', '__proto__', 'constructor', 'type', 'event_id', rng.pick(UNICODE), 'x'.repeat(1000)])] = awkwardValid(undefined, rng, splices);
      break;
    }
    case 'number':
      setAt(slot, splices.add(rng.pick(HUGE_NUMBERS)));
      break;
    case 'unicode':
      setAt(slot, rng.pick(UNICODE).repeat(1 + rng.int(100)));
      break;
    case 'length':
      setAt(slot, longString(rng));
      break;
    case 'depth':
      setAt(slot, splices.add(deepValue(rng.pick(DEPTHS) - 2, rng)));
      break;
    case 'valid':
      setAt(slot, awkwardValid(slot.schema, rng, splices));
      break;
    case 'tools': {
      const tools = Array.from({ length: rng.pick([1, 2, 5]) }, () => hostileTool(rng, splices));
      const names = tools.map((t) => (t as { name: string }).name).join(' ');
      if (seed.type === 'session.update') return { frame: { text: splices.render({ type: 'session.update', session: { tools } }) }, kind };
      return { frame: { text: splices.render({ type: 'session.configure', session: { instructions: `[persona] Use ${names}. ${longString(rng)}`, tools, generate_initial_response: rng.chance(0.3) } }) }, kind };
    }
    case 'garbage':
      return { frame: garbage(rng), kind };
    case 'frame-type':
      frame.type = rng.pick<Json>(['input_audio_buffer.commit', 'SESSION.CONFIGURE', '', 'response.create ', null, 7, ['error'], 'error', 'session.created']);
      break;
  }
  return { frame: { text: splices.render(frame) }, kind };
}

function garbage(rng: Rng): WireFrame {
  switch (rng.int(7)) {
    case 0:
      return { text: rng.pick(['', ' ', 'null', '[]', '"type"', '{"type":', '{}', '{"type":"session.configure"', 'NaN', '1e999']) };
    case 1:
      return { binary: Buffer.from(Array.from({ length: rng.pick([1, 100, 5000]) }, () => rng.int(256))) };
    case 2:
      return { rawText: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }; // invalid UTF-8: the socket closes (1007)
    case 3:
      return { text: `{"type":"input_audio_buffer.append","audio":"${'A'.repeat(rng.pick([1, 100, 1_100_000]))}"}` };
    case 4:
      return { text: `{"type":"session.update","session":{"tools":${deepValue(rng.pick(DEPTHS), rng)}}}` };
    case 5:
      return { text: JSON.stringify({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_' + 'f'.repeat(16), output: rng.pick(['', longString(rng), deepValue(100_000, rng)]) } }) };
    default:
      return { text: `{"type":"response.cancel","response_id":${rng.pick(['null', '1', '"resp_' + 'x'.repeat(2e5) + '"'])}}` };
  }
}
