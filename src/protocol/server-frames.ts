// Typed builders for every frame a Hydra server sends (the simulator, and the relay's own
// `error` frames), shaped exactly as the AsyncAPI contract types them. The contract has
// no nullable fields: an optional field is left out, never sent as null (no
// `previous_item_id` on a session's first item, no `status_details` on a completed
// response, no `usage` on a failed one). The body types make those rules compile-time.
import type { ConversationItem, ErrorCode, ResponseReason, ServerFrameType, Tool } from './schemas.ts';

/** The session as `session.configured` echoes it: every applied field. */
export interface AppliedSession {
  instructions: string;
  voice: string;
  tools: Tool[];
  generate_initial_response: boolean;
}

export interface UsageBody {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** `response.done.response`: `status_details` only on a response that did not complete. */
export type ResponseDoneBody = { id: string; output: ConversationItem[] } & (
  | { status: 'completed'; usage: UsageBody }
  | { status: 'cancelled'; status_details: { type: 'cancelled'; reason: Extract<ResponseReason, 'interrupted' | 'client_cancelled'> }; usage: UsageBody }
  | { status: 'incomplete'; status_details: { type: 'incomplete'; reason: Extract<ResponseReason, 'max_output_tokens' | 'content_filter'> }; usage: UsageBody }
  | { status: 'failed'; status_details: { type: 'failed'; error: { code: ErrorCode; type: string } } }
);

export interface ErrorBody {
  /** `server_error` or `invalid_request_error` (see errorTypeFor); the relay uses its code. */
  type: string;
  code: ErrorCode;
  message: string;
  /** The offending field, e.g. `session.configure.session.voice`. */
  param?: string;
  /** The `event_id` of the client frame that caused the error. */
  event_id?: string;
}

/** What each server frame carries besides `type` and `event_id`. */
export interface ServerFrameBodies {
  warning: { code: string; message: string };
  'session.created': { session_id: string };
  'session.configured': { session: AppliedSession };
  'session.updated': { session: { tools: Tool[] } };
  'input_audio_buffer.speech_started': { audio_start_ms: number; item_id: string };
  'input_audio_buffer.speech_stopped': { audio_end_ms: number; item_id: string };
  'conversation.item.added': { previous_item_id?: string; item: ConversationItem };
  'conversation.item.done': { previous_item_id?: string; item: ConversationItem };
  'response.created': { response: { id: string; status: 'in_progress'; output: ConversationItem[] } };
  'response.output_audio.delta': { response_id: string; item_id: string; output_index: number; content_index: number; delta: string };
  'response.output_audio.done': { response_id: string; item_id: string; output_index: number; content_index: number };
  'response.function_call_arguments.delta': {
    response_id: string;
    item_id: string;
    output_index: number;
    call_id: string;
    /** On the first delta of a call only. */
    name?: string;
    delta: string;
  };
  'response.function_call_arguments.done': {
    response_id: string;
    item_id: string;
    output_index: number;
    call_id: string;
    name: string;
    arguments: string;
  };
  'response.done': { response: ResponseDoneBody };
  error: { error: ErrorBody };
}

// Every frame type the parser knows has a body here, and nothing else does.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const everyTypeHasABody: Same<ServerFrameType, keyof ServerFrameBodies> = true;
void everyTypeHasABody;

export type OutgoingServerFrame<T extends ServerFrameType = ServerFrameType> = T extends ServerFrameType
  ? { type: T; event_id: string } & ServerFrameBodies[T]
  : never;

/** `{type, event_id, ...body}`, with optional fields that are undefined left out. */
export function serverFrame<T extends ServerFrameType>(type: T, eventId: string, body: ServerFrameBodies[T]): OutgoingServerFrame<T> {
  const frame: Record<string, unknown> = { type, event_id: eventId };
  for (const [key, value] of Object.entries(body)) if (value !== undefined) frame[key] = value;
  return frame as OutgoingServerFrame<T>;
}

/** Hydra's `error.type` for a code: `server_error` for server-side failures. */
export function errorTypeFor(code: ErrorCode): 'server_error' | 'invalid_request_error' {
  return code === 'internal_error' || code === 'server_full' ? 'server_error' : 'invalid_request_error';
}

/** An `error` frame; `type` defaults to errorTypeFor(code), absent `param`/`event_id` are left out. */
export function errorFrame(
  eventId: string,
  error: { code: ErrorCode; message: string; type?: string; param?: string | undefined; event_id?: string | undefined },
): OutgoingServerFrame<'error'> {
  const body: ErrorBody = { type: error.type ?? errorTypeFor(error.code), code: error.code, message: error.message };
  if (error.param !== undefined) body.param = error.param;
  if (error.event_id !== undefined) body.event_id = error.event_id;
  return serverFrame('error', eventId, { error: body });
}
