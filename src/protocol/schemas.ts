// zod schemas for every Hydra frame, client → server and server → client, following
// the vendor's AsyncAPI contract (hydra-ws.asyncapi.yaml) and our digest of it.
// Types are inferred from these schemas; nothing here is written twice.
//
// Server frames are parsed leniently (extra fields pass, for forward compatibility) but
// the fields a client acts on are required, so a frame missing them is a typed failure.
// zod/mini keeps the shipped script small.
import * as z from 'zod/mini';

// ---------------------------------------------------------------- shared pieces

export const MODELS = ['hydra-v1.1', 'hydra-v1.0', 'hydra'] as const;
export const Model = z.enum(MODELS);
export type Model = z.infer<typeof Model>;

/** A tool the model may call. `parameters` is a JSON Schema object. */
export const Tool = z.looseObject({
  type: z.literal('function'),
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  parameters: z.optional(z.record(z.string(), z.unknown())),
});
export type Tool = z.infer<typeof Tool>;

const sessionConfigShape = {
  instructions: z.optional(z.string()),
  voice: z.optional(z.string()),
  tools: z.optional(z.array(Tool)),
  generate_initial_response: z.optional(z.boolean()),
};
/** `session.configure.session` as a client must send it: only known keys. */
export const SessionConfig = z.strictObject(sessionConfigShape);
export type SessionConfig = z.infer<typeof SessionConfig>;
/** The same as Hydra reads it: unknown keys are ignored (a typo ships the default). */
export const SessionConfigLenient = z.looseObject(sessionConfigShape);

export const ItemType = z.enum(['message', 'function_call', 'function_call_output']);
export const ItemRole = z.enum(['user', 'assistant', 'system']);
export const ItemStatus = z.enum(['in_progress', 'completed', 'incomplete']);
export const ContentPartType = z.enum(['input_audio', 'input_text', 'output_audio', 'output_text']);

/** Conversation items are flat: every field optional, presence dictated by `type`. */
export const ConversationItem = z.looseObject({
  id: z.optional(z.string()),
  type: z.optional(ItemType),
  role: z.optional(ItemRole),
  status: z.optional(ItemStatus),
  content: z.optional(
    z.array(z.looseObject({ type: z.optional(ContentPartType), text: z.optional(z.nullable(z.string())) })),
  ),
  call_id: z.optional(z.string()),
  name: z.optional(z.string()),
  arguments: z.optional(z.string()),
  output: z.optional(z.string()),
});
export type ConversationItem = z.infer<typeof ConversationItem>;

/** Every error code in the digest (the YAML's enum plus `invalid_frame`). */
export const ERROR_CODES = [
  'invalid_frame',
  'invalid_request_error',
  'invalid_audio',
  'tool_response_timeout',
  'server_full',
  'internal_error',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RESPONSE_STATUSES = ['completed', 'cancelled', 'incomplete', 'failed'] as const;
export const ResponseStatus = z.enum(RESPONSE_STATUSES);
export type ResponseStatus = z.infer<typeof ResponseStatus>;
export const RESPONSE_REASONS = ['interrupted', 'client_cancelled', 'max_output_tokens', 'content_filter'] as const;
export const ResponseReason = z.enum(RESPONSE_REASONS);
export type ResponseReason = z.infer<typeof ResponseReason>;

export const Usage = z.looseObject({
  input_tokens: z.optional(z.number()),
  output_tokens: z.optional(z.number()),
  total_tokens: z.optional(z.number()),
});
export type Usage = z.infer<typeof Usage>;

const int = () => z.number().check(z.int());
const eventId = z.optional(z.string());

// ---------------------------------------------------------------- client → server

export const SessionConfigureFrame = z.object({
  type: z.literal('session.configure'),
  event_id: eventId,
  session: SessionConfig,
});
export const SessionUpdateFrame = z.object({
  type: z.literal('session.update'),
  event_id: eventId,
  // Only tools are honoured mid-session; unknown fields are an `invalid_frame`.
  session: z.strictObject({ tools: z.optional(z.array(Tool)) }),
});
export const InputAudioBufferAppendFrame = z.object({
  type: z.literal('input_audio_buffer.append'),
  event_id: eventId,
  audio: z.string(),
});
export const ConversationItemCreateFrame = z.object({
  type: z.literal('conversation.item.create'),
  event_id: eventId,
  previous_item_id: z.optional(z.string()),
  item: ConversationItem,
});
export const ResponseCreateFrame = z.object({
  type: z.literal('response.create'),
  event_id: eventId,
  response: z.optional(z.record(z.string(), z.unknown())),
});
export const ResponseCancelFrame = z.object({
  type: z.literal('response.cancel'),
  event_id: eventId,
  response_id: z.optional(z.string()),
});

export const ClientFrame = z.discriminatedUnion('type', [
  SessionConfigureFrame,
  SessionUpdateFrame,
  InputAudioBufferAppendFrame,
  ConversationItemCreateFrame,
  ResponseCreateFrame,
  ResponseCancelFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];

// ---------------------------------------------------------------- server → client

export const WarningFrame = z.looseObject({
  type: z.literal('warning'),
  event_id: eventId,
  code: z.string(),
  message: z.optional(z.string()),
});
export const SessionCreatedFrame = z.looseObject({
  type: z.literal('session.created'),
  event_id: eventId,
  session_id: z.string(),
});
export const SessionConfiguredFrame = z.looseObject({
  type: z.literal('session.configured'),
  event_id: eventId,
  session: SessionConfigLenient,
});
export const SessionUpdatedFrame = z.looseObject({
  type: z.literal('session.updated'),
  event_id: eventId,
  session: z.looseObject({ tools: z.optional(z.array(Tool)) }),
});
export const SpeechStartedFrame = z.looseObject({
  type: z.literal('input_audio_buffer.speech_started'),
  event_id: eventId,
  audio_start_ms: int(),
  item_id: z.string(),
});
export const SpeechStoppedFrame = z.looseObject({
  type: z.literal('input_audio_buffer.speech_stopped'),
  event_id: eventId,
  audio_end_ms: int(),
  item_id: z.string(),
});
export const ConversationItemAddedFrame = z.looseObject({
  type: z.literal('conversation.item.added'),
  event_id: eventId,
  previous_item_id: z.optional(z.nullable(z.string())),
  item: ConversationItem,
});
export const ConversationItemDoneFrame = z.looseObject({
  type: z.literal('conversation.item.done'),
  event_id: eventId,
  previous_item_id: z.optional(z.nullable(z.string())),
  item: ConversationItem,
});
export const ResponseCreatedFrame = z.looseObject({
  type: z.literal('response.created'),
  event_id: eventId,
  response: z.looseObject({ id: z.string() }),
});
export const OutputAudioDeltaFrame = z.looseObject({
  type: z.literal('response.output_audio.delta'),
  event_id: eventId,
  response_id: z.string(),
  item_id: z.optional(z.string()),
  output_index: z.optional(int()),
  content_index: z.optional(int()),
  delta: z.string(),
});
export const OutputAudioDoneFrame = z.looseObject({
  type: z.literal('response.output_audio.done'),
  event_id: eventId,
  response_id: z.string(),
  item_id: z.optional(z.string()),
  output_index: z.optional(int()),
  content_index: z.optional(int()),
});
export const FunctionCallArgumentsDeltaFrame = z.looseObject({
  type: z.literal('response.function_call_arguments.delta'),
  event_id: eventId,
  response_id: z.optional(z.string()),
  call_id: z.string(),
  name: z.optional(z.string()),
  delta: z.string(),
});
export const FunctionCallArgumentsDoneFrame = z.looseObject({
  type: z.literal('response.function_call_arguments.done'),
  event_id: eventId,
  response_id: z.optional(z.string()),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});
export const ResponseDoneFrame = z.looseObject({
  type: z.literal('response.done'),
  event_id: eventId,
  response: z.looseObject({
    id: z.string(),
    status: ResponseStatus,
    status_details: z.optional(
      z.nullable(
        z.looseObject({
          reason: z.optional(ResponseReason),
          type: z.optional(z.string()),
          error: z.optional(z.looseObject({ code: z.optional(z.string()), type: z.optional(z.string()) })),
        }),
      ),
    ),
    output: z.optional(z.array(ConversationItem)),
    usage: z.optional(z.nullable(Usage)),
  }),
});
export const ErrorFrame = z.looseObject({
  type: z.literal('error'),
  event_id: eventId,
  error: z.looseObject({
    type: z.optional(z.string()),
    // Known codes are in ERROR_CODES; an unknown one still parses so it can be reported.
    code: z.string(),
    message: z.string(),
    param: z.optional(z.nullable(z.string())),
    event_id: z.optional(z.nullable(z.string())),
  }),
});

export const ServerFrame = z.discriminatedUnion('type', [
  WarningFrame,
  SessionCreatedFrame,
  SessionConfiguredFrame,
  SessionUpdatedFrame,
  SpeechStartedFrame,
  SpeechStoppedFrame,
  ConversationItemAddedFrame,
  ConversationItemDoneFrame,
  ResponseCreatedFrame,
  OutputAudioDeltaFrame,
  OutputAudioDoneFrame,
  FunctionCallArgumentsDeltaFrame,
  FunctionCallArgumentsDoneFrame,
  ResponseDoneFrame,
  ErrorFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ServerFrameType = ServerFrame['type'];
/** The server frame whose `type` is T. */
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
/** The client frame whose `type` is T. */
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

const frameTypes = (union: { def: { options: readonly { shape: { type: { def: { values: readonly unknown[] } } } }[] } }) =>
  union.def.options.map((o) => o.shape.type.def.values[0]);
export const SERVER_FRAME_TYPES = frameTypes(ServerFrame) as readonly ServerFrameType[];
export const CLIENT_FRAME_TYPES = frameTypes(ClientFrame) as readonly ClientFrameType[];
