// Validates frames against the vendor's AsyncAPI message schemas, extracted once into
// test/fixtures/spec-schemas.json (scripts/extract-spec-schemas.py). Server frames are held
// to the contract exactly: every server frame has `type` and `event_id`, and objects carry
// only the properties the contract declares, except client-defined content (tools and their
// JSON Schema) and the few extra fields listed in SERVER_EXTRAS.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

type Schema = Record<string, any>;

interface SpecFixture {
  source: string;
  amendments: { where: string; change: string; source: string }[];
  $defs: Record<string, Schema>;
  messages: { message: string; type: string; direction: 'client' | 'server'; schema: Schema }[];
}

export const SPEC = JSON.parse(readFileSync(new URL('../../fixtures/spec-schemas.json', import.meta.url), 'utf8')) as SpecFixture;

/**
 * Fields the simulator sends beyond the contract, on purpose: the OpenAI-realtime-style
 * position of a call (`item_id`, `output_index`, as audio deltas have) and the response's
 * initial state in `response.created`. Everything else undeclared is a test failure.
 */
export const SERVER_EXTRAS: Record<string, Record<string, Schema>> = {
  'response.function_call_arguments.delta': { item_id: { type: 'string' }, output_index: { type: 'integer' } },
  'response.function_call_arguments.done': { item_id: { type: 'string' }, output_index: { type: 'integer' } },
  'response.created': { 'response.status': { type: 'string', enum: ['in_progress'] }, 'response.output': { type: 'array', maxItems: 0 } },
};

/** Sets additionalProperties: false on every object that declares properties (not inside Tool). */
function closeObjects(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = key === 'enum' ? value : closeObjects(value);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function strictServerSchema(type: string, schema: Schema): Schema {
  const strict = closeObjects(structuredClone(schema));
  strict.required = [...new Set([...(strict.required ?? []), 'type', 'event_id'])];
  for (const [path, extra] of Object.entries(SERVER_EXTRAS[type] ?? {})) {
    const keys = path.split('.');
    let node = strict;
    for (const key of keys.slice(0, -1)) node = node.properties[key];
    node.properties[keys.at(-1)!] = extra;
  }
  return strict;
}

/** Compiled validators: `validate(direction, frame)` returns the problems (empty when valid). */
export function specValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // Tools are client-defined (their `parameters` is any JSON Schema): never closed.
  const defs = { ...closeObjects(SPEC.$defs), Tool: SPEC.$defs.Tool! };
  const byType = new Map<string, ValidateFunction>();
  for (const m of SPEC.messages) {
    const schema = m.direction === 'server' ? strictServerSchema(m.type, m.schema) : m.schema;
    byType.set(`${m.direction} ${m.type}`, ajv.compile({ ...schema, $defs: m.direction === 'server' ? defs : SPEC.$defs }));
  }
  return {
    validate(direction: 'client' | 'server', frame: unknown): string[] {
      const type = (frame as { type?: unknown } | null)?.type;
      const check = byType.get(`${direction} ${String(type)}`);
      if (!check) return [`no ${direction} message of type ${JSON.stringify(type)} in the contract`];
      if (check(frame)) return [];
      return (check.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${e.params.additionalProperty}` : ''}`);
    },
    types(direction: 'client' | 'server'): string[] {
      return SPEC.messages.filter((m) => m.direction === direction).map((m) => m.type);
    },
  };
}
