// Frame parsers that never throw: anything a socket delivers comes back either as a typed
// frame or as a typed failure the caller can report (and then carry on).
// parseServerFrame runs in the browser and checks with the hand-written browser-checks.ts
// (no zod in the shipped script); parseClientFrame (parse-client.ts) uses the zod schemas.
import { BROWSER_SERVER_FRAME_TYPES, serverFrameIssues } from './browser-checks.ts';
import type { ServerFrame, ServerFrameType } from './schemas.ts';

/** Default largest frame accepted, in UTF-16 code units of the text (≈ bytes for JSON). */
export const DEFAULT_MAX_FRAME_BYTES = 1 << 20;
/**
 * Default deepest nesting of objects and arrays accepted (the frame itself is level 1).
 * Real frames nest under 10 levels plus a tool's JSON Schema; anything deeper is refused
 * before code that walks values recursively (JSON.stringify, schema walkers) can overflow
 * the stack on it.
 */
export const DEFAULT_MAX_FRAME_DEPTH = 64;

export type FrameFailureKind = 'not_text' | 'too_large' | 'invalid_json' | 'not_object' | 'too_deep' | 'unknown_type' | 'invalid_fields';

export interface FrameFailure {
  kind: FrameFailureKind;
  message: string;
  /** The frame's `type`, when it had a string one. */
  type?: string;
  /** The frame's `event_id`, when it had a string one (servers echo it in errors). */
  eventId?: string;
  /** Field paths that failed validation, for `invalid_fields`. */
  issues?: string[];
}

export type ParseResult<F> = { ok: true; frame: F } | { ok: false; failure: FrameFailure };

export interface ParseOptions {
  /** Default DEFAULT_MAX_FRAME_BYTES. */
  maxBytes?: number;
  /** Default DEFAULT_MAX_FRAME_DEPTH; Infinity skips the check. */
  maxDepth?: number;
}

/**
 * True when `value` nests objects/arrays more than `max` levels deep. The recursion stops
 * at `max` levels, so any depth of input is safe (the walk never goes deeper than `max` + 1).
 */
export const nestsDeeperThan = (value: unknown, max: number): boolean =>
  typeof value === 'object' && value !== null && (max < 1 || Object.values(value).some((child) => nestsDeeperThan(child, max - 1)));

/**
 * The steps both directions share: text, size, JSON, object, known type; then `validate`
 * returns the problems of the frame's fields (empty: valid) and the frame is returned.
 */
export function parseFrame<F, T extends string>(
  data: unknown,
  options: ParseOptions,
  isKnownType: (type: string) => type is T,
  validate: (type: T, json: Record<string, unknown>) => { issues: string[]; frame?: unknown },
): ParseResult<F> {
  const fail = (failure: FrameFailure): ParseResult<F> => ({ ok: false, failure });
  if (typeof data !== 'string') return fail({ kind: 'not_text', message: 'binary frame; Hydra frames are JSON text' });
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (data.length > maxBytes) {
    return fail({ kind: 'too_large', message: `frame of ${data.length} bytes exceeds the ${maxBytes}-byte limit` });
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch (e) {
    return fail({ kind: 'invalid_json', message: `invalid JSON: ${(e as Error).message}` });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail({ kind: 'not_object', message: 'frame is not a JSON object' });
  }
  const record = json as Record<string, unknown>;
  const type = typeof record.type === 'string' ? record.type : undefined;
  const eventId = typeof record.event_id === 'string' ? record.event_id : undefined;
  const where = { ...(type === undefined ? {} : { type }), ...(eventId === undefined ? {} : { eventId }) };
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_FRAME_DEPTH;
  if (Number.isFinite(maxDepth) && nestsDeeperThan(record, maxDepth)) {
    return fail({ kind: 'too_deep', message: `frame nests objects/arrays more than ${maxDepth} levels deep`, ...where });
  }
  if (type === undefined || !isKnownType(type)) {
    return fail({ kind: 'unknown_type', message: `unknown frame type ${JSON.stringify(record.type)}`, ...where });
  }
  const { issues, frame = record } = validate(type, record);
  if (issues.length > 0) {
    return fail({ kind: 'invalid_fields', message: `invalid ${type} frame: ${issues.join('; ')}`, issues, ...where });
  }
  return { ok: true, frame: frame as F };
}

export function isServerFrameType(type: string): type is ServerFrameType {
  return (BROWSER_SERVER_FRAME_TYPES as string[]).includes(type);
}

/** Parses a frame received from Hydra (or the simulator, or the relay). */
export function parseServerFrame(data: unknown, options: ParseOptions = {}): ParseResult<ServerFrame> {
  return parseFrame(data, options, isServerFrameType, (type, json) => ({ issues: serverFrameIssues(type, json) }));
}
