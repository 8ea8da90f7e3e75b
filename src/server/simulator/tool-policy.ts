// Which tools a user turn calls, and with what arguments. Deterministic, so tests can
// predict every call. The default policy (see README "Tool policy"):
//   - a tool whose exact name appears as a word in the session instructions is called on
//     every completed user turn;
//   - `[call:name]` markers in the instructions do the same (and allow names that would not
//     otherwise be mentioned);
// in declaration order, each tool at most once per turn. Every scan here is linear in the
// instructions, whatever a client puts in them.
import type { Tool } from '../../protocol/index.ts';
import { LIMITS } from './limits.ts';
import type { ToolCallPlan, ToolPolicy } from './options.ts';

// `[call:name]`; excluding "[" and bounding the name keeps each attempt short (no quadratic rescans).
const CALL_MARKER = /\[call:\s*([^\]\s[]{1,256})\s*\]/gi;
const WORD_CHAR = /[A-Za-z0-9_]/;

/** Whether `name` occurs in `text` with no word character right before or after it. */
function mentions(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = text[at - 1];
    const after = text[at + name.length];
    if ((before === undefined || !WORD_CHAR.test(before)) && (after === undefined || !WORD_CHAR.test(after))) return true;
  }
  return false;
}

export const defaultToolPolicy: ToolPolicy = ({ tools, instructions }) => {
  const marked = new Set([...instructions.matchAll(CALL_MARKER)].map((m) => m[1]!));
  return tools.filter((t) => marked.has(t.name) || mentions(instructions, t.name)).map((t) => t.name);
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
 * Bounded like a model's output (LIMITS.arguments): nesting, `minItems` and `minLength` are
 * clamped and generation stops adding properties and items once the output is large.
 */
export function argumentsFromSchema(schema: unknown, propertyName = ''): unknown {
  return build(schema, propertyName, 0, { chars: LIMITS.arguments.totalChars });
}

interface Budget {
  /** Characters of JSON still allowed. */
  chars: number;
}

const own = (o: object, key: string): unknown => (Object.hasOwn(o, key) ? (o as Schema)[key] : undefined);

/** `value` if its JSON fits the budget (charging it), else undefined. */
function copied(value: unknown, budget: Budget): unknown {
  const size = JSON.stringify(value)?.length ?? 4;
  if (size > budget.chars) return undefined;
  budget.chars -= size;
  return value;
}

function build(schema: unknown, propertyName: string, depth: number, budget: Budget): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return null;
  const s = schema as Schema;
  for (const key of ['const', 'default'] as const) {
    if (Object.hasOwn(s, key)) {
      const value = copied(s[key], budget);
      if (value !== undefined) return value;
    }
  }
  const choices = own(s, 'enum');
  if (Array.isArray(choices) && choices.length > 0) {
    const value = copied(choices[0], budget);
    if (value !== undefined) return value;
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = own(s, key);
    if (Array.isArray(options) && options.length > 0 && depth < LIMITS.arguments.depth) return build(options[0], propertyName, depth + 1, budget);
  }
  let type = own(s, 'type');
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined) type = own(s, 'properties') ? 'object' : 'string';
  const deeper = depth < LIMITS.arguments.depth;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      budget.chars -= 2;
      const props = own(s, 'properties');
      const properties = typeof props === 'object' && props !== null ? props : {};
      const required = own(s, 'required');
      const names = Array.isArray(required) ? required.filter((n): n is string => typeof n === 'string') : Object.keys(properties);
      for (const name of deeper ? names : []) {
        budget.chars -= name.length + 4;
        if (budget.chars <= 0) break;
        // defineProperty: a property named "__proto__" must stay a plain key.
        Object.defineProperty(out, name, { value: build(own(properties, name) ?? {}, name, depth + 1, budget), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array': {
      const minItems = own(s, 'minItems');
      const count = Math.min(LIMITS.arguments.items, Math.max(1, typeof minItems === 'number' ? Math.ceil(minItems) : 1));
      const out: unknown[] = [];
      budget.chars -= 2;
      for (let i = 0; deeper && i < count && budget.chars > 0; i++) out.push(build(own(s, 'items') ?? {}, propertyName, depth + 1, budget));
      return out;
    }
    case 'integer':
    case 'number': {
      const minimum = own(s, 'minimum');
      const exclusiveMinimum = own(s, 'exclusiveMinimum');
      const maximum = own(s, 'maximum');
      const min = typeof minimum === 'number' ? minimum : typeof exclusiveMinimum === 'number' ? exclusiveMinimum + 1 : undefined;
      const max = typeof maximum === 'number' ? maximum : undefined;
      let n = min ?? (max !== undefined ? Math.min(1, max) : 1);
      if (type === 'integer') n = Math.ceil(n);
      budget.chars -= 24;
      return Number.isFinite(n) ? n : 0; // JSON has no Infinity
    }
    case 'boolean':
      budget.chars -= 5;
      return true;
    case 'null':
      budget.chars -= 4;
      return null;
    default: {
      const value = plausibleString(s, propertyName);
      budget.chars -= value.length + 2;
      return value;
    }
  }
}

function plausibleString(s: Schema, propertyName: string): string {
  switch (own(s, 'format')) {
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
  const minLength = own(s, 'minLength');
  const maxLength = own(s, 'maxLength');
  if (typeof minLength === 'number' && value.length < minLength) value = value.padEnd(Math.min(minLength, LIMITS.arguments.stringChars), 'x');
  if (typeof maxLength === 'number' && maxLength >= 0 && value.length > maxLength) value = value.slice(0, maxLength);
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
