// What the browser checks, written by hand (check.ts) instead of with zod: every server
// frame the client reads, the session configuration it sends, and tool definitions.
// Each shape mirrors its zod schema in schemas.ts field by field; the zod schemas remain
// the source of truth (types, server, tests), and test/node/protocol/browser-checks.test.ts
// fails when the two disagree on any sample or fuzzed value.
import { array, bool, int, issuesOf, literal, nonEmptyStr, nullable, num, object, oneOf, record, str } from './check.ts';
import type { Check, Shape } from './check.ts';
import type { ServerFrameType, SessionConfig, Tool } from './schemas.ts';

// Enum values, copied from schemas.ts (the equivalence test compares them).
export const RESPONSE_STATUS_VALUES = ['completed', 'cancelled', 'incomplete', 'failed'] as const;
export const RESPONSE_REASON_VALUES = ['interrupted', 'client_cancelled', 'max_output_tokens', 'content_filter'] as const;
export const ITEM_ENUMS = {
  type: ['message', 'function_call', 'function_call_output'],
  role: ['user', 'assistant', 'system'],
  status: ['in_progress', 'completed', 'incomplete'],
  content: ['input_audio', 'input_text', 'output_audio', 'output_text'],
};

const toolShape: Shape = { type: literal('function'), name: nonEmptyStr, 'description?': str, 'parameters?': record };
export const toolCheck = object(toolShape);
export const toolListCheck = array(toolCheck);

const sessionConfigShape: Shape = {
  'instructions?': str,
  'voice?': str,
  'tools?': toolListCheck,
  'generate_initial_response?': bool,
};
/** `session.configure.session` as the client must send it: only known keys. */
export const sessionConfigCheck = object(sessionConfigShape, true);

const item = object({
  'id?': str,
  'type?': oneOf(ITEM_ENUMS.type),
  'role?': oneOf(ITEM_ENUMS.role),
  'status?': oneOf(ITEM_ENUMS.status),
  'content?': array(object({ 'type?': oneOf(ITEM_ENUMS.content), 'text?': nullable(str) })),
  'call_id?': str,
  'name?': str,
  'arguments?': str,
  'output?': str,
});
const audioRef: Shape = { response_id: str, 'item_id?': str, 'output_index?': int, 'content_index?': int };
const itemFrame: Shape = { 'previous_item_id?': nullable(str), item };

/** The fields of each server frame besides `type` (and the optional `event_id` all have). */
const SERVER_SHAPES: Record<ServerFrameType, Shape> = {
  warning: { code: str, 'message?': str },
  'session.created': { session_id: str },
  'session.configured': { session: object(sessionConfigShape) },
  'session.updated': { session: object({ 'tools?': toolListCheck }) },
  'input_audio_buffer.speech_started': { audio_start_ms: int, item_id: str },
  'input_audio_buffer.speech_stopped': { audio_end_ms: int, item_id: str },
  'conversation.item.added': itemFrame,
  'conversation.item.done': itemFrame,
  'response.created': { response: object({ id: str }) },
  'response.output_audio.delta': { ...audioRef, delta: str },
  'response.output_audio.done': audioRef,
  'response.function_call_arguments.delta': { 'response_id?': str, call_id: str, 'name?': str, delta: str },
  'response.function_call_arguments.done': { 'response_id?': str, call_id: str, name: str, arguments: str },
  'response.done': {
    response: object({
      id: str,
      status: oneOf(RESPONSE_STATUS_VALUES),
      'status_details?': nullable(
        object({
          'reason?': oneOf(RESPONSE_REASON_VALUES),
          'type?': str,
          'error?': object({ 'code?': str, 'type?': str }),
        }),
      ),
      'output?': array(item),
      'usage?': nullable(object({ 'input_tokens?': num, 'output_tokens?': num, 'total_tokens?': num })),
    }),
  },
  error: {
    error: object({
      'type?': str,
      code: str,
      message: str,
      'param?': nullable(str),
      'event_id?': nullable(str),
    }),
  },
};

/** Every server frame type the client knows, in the order of schemas.ts. */
export const BROWSER_SERVER_FRAME_TYPES = Object.keys(SERVER_SHAPES) as ServerFrameType[];

const SERVER_CHECKS = Object.fromEntries(
  BROWSER_SERVER_FRAME_TYPES.map((type) => [type, object({ type: literal(type), 'event_id?': str, ...SERVER_SHAPES[type] })]),
) as Record<ServerFrameType, Check>;

/** Problems of a JSON object received as a server frame of a known `type` (empty: valid). */
export function serverFrameIssues(type: ServerFrameType, frame: unknown): string[] {
  return issuesOf(SERVER_CHECKS[type], frame);
}

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: string[] };

function checked<T>(check: Check, value: unknown): Checked<T> {
  const issues = issuesOf(check, value);
  return issues.length === 0 ? { ok: true, value: value as T } : { ok: false, issues };
}

/** A session configuration as the client sends it (only known keys; tools well-formed). */
export const checkSessionConfig = (value: unknown): Checked<SessionConfig> => checked(sessionConfigCheck, value);

/** A list of tool definitions (`type: "function"`, a non-empty `name`, an optional JSON Schema object). */
export const checkToolList = (value: unknown): Checked<Tool[]> => checked(toolListCheck, value);
