// A few hand-written value checks, for the browser: the shipped script validates what it
// reads with these instead of zod (zod/mini alone was ~12.6 kB of a ~32 kB script).
// schemas.ts (zod) stays the single source of truth: the frame and config types are
// inferred there, and test/node/protocol/browser-checks.test.ts proves that these checks
// accept and reject exactly what the zod schemas do, on the spec's samples and fuzzed frames.
//
// A check appends one line per problem ("path: expected string") and returns nothing, so a
// frame reports every problem at once, like zod does.

export type Check = (value: unknown, path: string, issues: string[]) => void;

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const fail = (issues: string[], path: string, what: string) => void issues.push(`${path || '(root)'}: ${what}`);

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const is = (test: (v: unknown) => boolean, what: string): Check => (v, path, issues) => {
  if (!test(v)) fail(issues, path, what);
};

export const str: Check = is((v) => typeof v === 'string', 'expected string');
export const nonEmptyStr: Check = is((v) => typeof v === 'string' && v !== '', 'expected a non-empty string');
export const bool: Check = is((v) => typeof v === 'boolean', 'expected boolean');
export const num: Check = is(Number.isFinite, 'expected number');
/** A safe integer (zod's `int()`). */
export const int: Check = is(Number.isSafeInteger, 'expected integer');
/** Any JSON object (zod's `record(string, unknown)`). */
export const record: Check = is(isRecord, 'expected object');

export const literal = (value: string): Check => is((v) => v === value, `expected "${value}"`);
export const oneOf = (values: readonly string[]): Check =>
  is((v) => values.includes(v as string), `expected one of ${values.join(', ')}`);

export const nullable = (check: Check): Check => (v, path, issues) => {
  if (v !== null) check(v, path, issues);
};

export const array = (item: Check): Check => (v, path, issues) => {
  if (!Array.isArray(v)) return fail(issues, path, 'expected array');
  for (let i = 0; i < v.length; i++) item(v[i], join(path, i), issues); // holes too (forEach skips them)
};

/** Field checks of an object; a field whose name ends in `?` may be absent. */
export type Shape = Record<string, Check>;

/**
 * An object with these fields. Unknown fields pass (forward compatible, like zod's
 * `looseObject`) unless `strict`, where each is an issue (zod's `strictObject`).
 */
export const object = (shape: Shape, strict = false): Check => {
  const fields = Object.entries(shape).map(([key, check]) => {
    const optional = key.endsWith('?');
    return { key: optional ? key.slice(0, -1) : key, optional, check };
  });
  return (v, path, issues) => {
    if (!isRecord(v)) return fail(issues, path, 'expected object');
    for (const { key, optional, check } of fields) {
      const present = Object.hasOwn(v, key) && v[key] !== undefined;
      if (present) check(v[key], join(path, key), issues);
      else if (!optional) fail(issues, join(path, key), 'required');
    }
    if (strict) {
      const unknown = Object.keys(v).filter((k) => !fields.some((f) => f.key === k));
      if (unknown.length > 0) fail(issues, path, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
    }
  };
};

/** Runs a check; the issues, empty when the value is valid. */
export function issuesOf(check: Check, value: unknown): string[] {
  const issues: string[] = [];
  check(value, '', issues);
  return issues;
}
