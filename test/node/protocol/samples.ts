// One valid frame of every type, in both directions, with the fields each schema must
// require (a client acts on them). Built from the AsyncAPI contract and the digest.
// Frame-type lists are checked against these tables, so a new type without a sample fails.

export interface Sample {
  frame: Record<string, unknown>;
  /** Dotted paths whose removal must make the frame invalid. */
  required: string[];
  /** Dotted paths that must reject a value of the wrong type. */
  typed: string[];
}

export const SERVER_SAMPLES: Record<string, Sample> = {
  warning: {
    frame: { type: 'warning', event_id: 'sv_1', code: 'model_deprecated', message: 'hydra is deprecated; use hydra-v1.0' },
    required: ['code'],
    typed: ['code', 'message', 'event_id'],
  },
  'session.created': {
    frame: { type: 'session.created', event_id: 'sv_2', session_id: 'sess_1' },
    required: ['session_id'],
    typed: ['session_id', 'event_id'],
  },
  'session.configured': {
    frame: {
      type: 'session.configured',
      event_id: 'sv_3',
      session: {
        instructions: 'Be brief.',
        voice: 'aria',
        tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
        generate_initial_response: false,
      },
    },
    required: ['session'],
    typed: ['session', 'session.instructions', 'session.voice', 'session.tools', 'session.generate_initial_response'],
  },
  'session.updated': {
    frame: { type: 'session.updated', event_id: 'sv_4', session: { tools: [{ type: 'function', name: 'get_time' }] } },
    required: ['session'],
    typed: ['session', 'session.tools'],
  },
  'input_audio_buffer.speech_started': {
    frame: { type: 'input_audio_buffer.speech_started', event_id: 'sv_5', audio_start_ms: 1200, item_id: 'item_1' },
    required: ['audio_start_ms', 'item_id'],
    typed: ['audio_start_ms', 'item_id'],
  },
  'input_audio_buffer.speech_stopped': {
    frame: { type: 'input_audio_buffer.speech_stopped', event_id: 'sv_6', audio_end_ms: 2900, item_id: 'item_1' },
    required: ['audio_end_ms', 'item_id'],
    typed: ['audio_end_ms', 'item_id'],
  },
  'conversation.item.added': {
    frame: {
      type: 'conversation.item.added',
      event_id: 'sv_7',
      previous_item_id: null,
      item: { id: 'item_1', type: 'message', role: 'user', status: 'in_progress', content: [{ type: 'input_audio', text: null }] },
    },
    required: ['item'],
    typed: ['item', 'item.role', 'item.status', 'item.content', 'previous_item_id'],
  },
  'conversation.item.done': {
    frame: {
      type: 'conversation.item.done',
      event_id: 'sv_8',
      previous_item_id: 'item_0',
      item: { id: 'item_1', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', text: null }] },
    },
    required: ['item'],
    typed: ['item', 'item.type', 'item.status'],
  },
  'response.created': {
    frame: { type: 'response.created', event_id: 'sv_9', response: { id: 'resp_1', status: 'in_progress' } },
    required: ['response', 'response.id'],
    typed: ['response', 'response.id'],
  },
  'response.output_audio.delta': {
    frame: {
      type: 'response.output_audio.delta',
      event_id: 'sv_10',
      response_id: 'resp_1',
      item_id: 'item_2',
      output_index: 0,
      content_index: 0,
      delta: 'AAABAA==',
    },
    required: ['response_id', 'delta'],
    typed: ['response_id', 'delta', 'item_id', 'output_index', 'content_index'],
  },
  'response.output_audio.done': {
    frame: { type: 'response.output_audio.done', event_id: 'sv_11', response_id: 'resp_1', item_id: 'item_2', output_index: 0, content_index: 0 },
    required: ['response_id'],
    typed: ['response_id', 'output_index'],
  },
  'response.function_call_arguments.delta': {
    frame: {
      type: 'response.function_call_arguments.delta',
      event_id: 'sv_12',
      response_id: 'resp_2',
      call_id: 'call_1',
      name: 'get_weather',
      delta: '{"city":',
    },
    required: ['call_id', 'delta'],
    typed: ['call_id', 'delta', 'name', 'response_id'],
  },
  'response.function_call_arguments.done': {
    frame: {
      type: 'response.function_call_arguments.done',
      event_id: 'sv_13',
      response_id: 'resp_2',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    },
    required: ['call_id', 'name', 'arguments'],
    typed: ['call_id', 'name', 'arguments'],
  },
  'response.done': {
    frame: {
      type: 'response.done',
      event_id: 'sv_14',
      response: {
        id: 'resp_1',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason: 'interrupted' },
        output: [{ id: 'item_2', type: 'message', role: 'assistant', status: 'incomplete', content: [{ type: 'output_audio', text: null }] }],
        usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 },
      },
    },
    required: ['response', 'response.id', 'response.status'],
    typed: ['response.id', 'response.status', 'response.status_details.reason', 'response.output', 'response.usage.total_tokens'],
  },
  error: {
    frame: {
      type: 'error',
      event_id: 'sv_15',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_request_error',
        message: 'Unknown voice',
        param: 'session.configure.session.voice',
        event_id: 'cl_0123456789abcdef',
      },
    },
    required: ['error', 'error.code', 'error.message'],
    typed: ['error', 'error.code', 'error.message', 'error.param', 'error.event_id'],
  },
};

export const CLIENT_SAMPLES: Record<string, Sample> = {
  'session.configure': {
    frame: {
      type: 'session.configure',
      event_id: 'cl_1',
      session: {
        instructions: 'Be brief.',
        voice: 'aria',
        tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
        generate_initial_response: true,
      },
    },
    required: ['session'],
    typed: ['session', 'session.instructions', 'session.voice', 'session.tools', 'session.generate_initial_response', 'event_id'],
  },
  'session.update': {
    frame: { type: 'session.update', event_id: 'cl_2', session: { tools: [{ type: 'function', name: 'get_time' }] } },
    required: ['session'],
    typed: ['session', 'session.tools'],
  },
  'input_audio_buffer.append': {
    frame: { type: 'input_audio_buffer.append', event_id: 'cl_3', audio: 'AAAAAA==' },
    required: ['audio'],
    typed: ['audio', 'event_id'],
  },
  'conversation.item.create': {
    frame: { type: 'conversation.item.create', event_id: 'cl_4', item: { type: 'function_call_output', call_id: 'call_1', output: '{"temp_c":21}' } },
    required: ['item'],
    typed: ['item', 'item.call_id', 'item.output', 'item.type'],
  },
  'response.create': {
    frame: { type: 'response.create', event_id: 'cl_5' },
    required: [],
    typed: ['response', 'event_id'],
  },
  'response.cancel': {
    frame: { type: 'response.cancel', event_id: 'cl_6', response_id: 'resp_1' },
    required: [],
    typed: ['response_id'],
  },
};

/** A deep copy of obj with the value at a dotted path replaced (or removed when value is REMOVE). */
export const REMOVE = Symbol('remove');
export function withPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}

export function getPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], obj);
}
