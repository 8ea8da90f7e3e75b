// Which tools a user turn calls, and with what arguments. Deterministic, so tests can
// predict every call. The default policy (see README "Tool policy"):
//   - a tool whose exact name appears as a word in the session instructions is called on
//     every completed user turn;
//   - `[call:name]` markers in the instructions do the same (and allow names that would not
//     otherwise be mentioned);
// in declaration order, each tool at most once per turn.
import type { Tool } from '../../protocol/index.ts';
import type { ToolCallPlan, ToolPolicy } from './options.ts';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const defaultToolPolicy: ToolPolicy = ({ tools, instructions }) => {
  const marked = new Set([...instructions.matchAll(/\[call:\s*([^\]\s]+)\s*\]/gi)].map((m) => m[1]!));
  return tools
    .filter((t) => marked.has(t.name) || new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(t.name)}($|[^A-Za-z0-9_])`).test(instructions))
    .map((t) => t.name);
};

/** Normalises a policy's answer: only declared tools, each plan with arguments. */
export function planCalls(answer: (string | ToolCallPlan)[], tools: readonly Tool[]): { tool: Tool; args: unknown }[] {
  const out: { tool: Tool; args: unknown }[] = [];
  for (const entry of answer) {
    const plan = typeof entry === 'string' ? { name: entry } : entry;
    const tool = tools.find((t) => t.name === plan.name);
    if (!tool) continue; // The model can only call what was declared.
    out.push({ tool, args: plan.arguments ?? argumentsFromSchema(tool.parameters ?? { type: 'object' }) });
  }
  return out;
}

type Schema = Record<string, unknown>;

const PLAUSIBLE_STRINGS: [RegExp, string][] = [
  [/city|location|place|town/i, 'Paris'],
  [/country/i, 'France'],
  [/email/i, 'user@example.com'],
  [/url|link/i, 'https://example.com'],
  [/date|day/i, '2026-01-15'],
  [/time/i, '12:00'],
  [/phone/i, '+15555550100'],
  [/name/i, 'Alex'],
  [/unit/i, 'celsius'],
  [/lang/i, 'en'],
  [/query|question|text|search/i, 'weather in Paris'],
  [/id$/i, 'abc123'],
];

/**
 * A plausible value for a JSON Schema: `const`, then `default`, then the first `enum`
 * value, else one built from `type` (objects get their required properties, or all of them
 * when none are marked required; strings are guessed from the property name and `format`).
 */
export function argumentsFromSchema(schema: unknown, propertyName = ''): unknown {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Schema;
  if ('const' in s) return s.const;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) return argumentsFromSchema(options[0], propertyName);
  }
  let type = s.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined) type = s.properties ? 'object' : 'string';
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const required = Array.isArray(s.required) ? (s.required as string[]) : Object.keys(props);
      const out: Record<string, unknown> = {};
      for (const name of required) out[name] = argumentsFromSchema(props[name] ?? {}, name);
      return out;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      return Array.from({ length: Math.max(1, min) }, () => argumentsFromSchema(s.items ?? {}, propertyName));
    }
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : undefined;
      const max = typeof s.maximum === 'number' ? s.maximum : undefined;
      let n = min ?? (max !== undefined ? Math.min(1, max) : 1);
      if (type === 'integer') n = Math.ceil(n);
      return n;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return plausibleString(s, propertyName);
  }
}

function plausibleString(s: Schema, propertyName: string): string {
  switch (s.format) {
    case 'date':
      return '2026-01-15';
    case 'date-time':
      return '2026-01-15T12:00:00Z';
    case 'email':
      return 'user@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
  }
  let value = PLAUSIBLE_STRINGS.find(([re]) => re.test(propertyName))?.[1] ?? 'example';
  if (typeof s.minLength === 'number' && value.length < s.minLength) value = value.padEnd(s.minLength, 'x');
  if (typeof s.maxLength === 'number' && value.length > s.maxLength) value = value.slice(0, s.maxLength);
  return value;
}

/** Splits a JSON string into `parts` fragments (at least one), as the model streams them. */
export function splitDeltas(json: string, parts = 3): string[] {
  const n = Math.max(1, Math.min(parts, json.length));
  const size = Math.ceil(json.length / n);
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out.length > 0 ? out : [''];
}
