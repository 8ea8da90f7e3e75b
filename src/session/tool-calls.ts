// Tool calls: argument deltas assembled per call_id, parsed once on `...done`, answered
// as function_call_output items, then exactly ONE response.create per batch, debounced
// after the last output once every open call has an answer. A call that is never
// answered gets an error output after a timeout, so the turn never hangs. The answer
// comes back by call id (answer()), so the page may answer from another thread.
import type { ClientFrame, ServerFrameOf } from '../protocol/schemas.ts';
import type { ToolCallRequest, ToolResult } from './events.ts';
import type { SessionTimers } from './timers.ts';

export interface ToolCallsHost {
  timers: SessionTimers;
  toolTimeoutMs: number;
  debounceMs: number;
  send(frame: ClientFrame): void;
  call(request: ToolCallRequest): void;
  error(message: string): void;
  /** Tools busy or idle: the state shows `thinking` while any call is open. */
  changed(): void;
}

interface OpenCall {
  name: string;
  responseId: string | undefined;
  timer: unknown;
}

export class ToolCalls {
  #deltas = new Map<string, string>();
  #open = new Map<string, OpenCall>();
  /** Responses whose outputs were posted since the last response.create. */
  #answered = new Set<string | undefined>();
  /** Responses Hydra abandoned (cancelled, failed, tool_response_timeout): no narration. */
  #abandoned = new Set<string | undefined>();
  #debounce: unknown;

  readonly #host: ToolCallsHost;

  constructor(host: ToolCallsHost) {
    this.#host = host;
  }

  /** Open calls, or outputs waiting for their response.create. */
  get busy(): boolean {
    return this.#open.size > 0 || this.#debounce !== undefined;
  }

  delta(frame: ServerFrameOf<'response.function_call_arguments.delta'>): void {
    this.#deltas.set(frame.call_id, (this.#deltas.get(frame.call_id) ?? '') + frame.delta);
  }

  done(frame: ServerFrameOf<'response.function_call_arguments.done'>): void {
    const { call_id: callId, name } = frame;
    // `done` carries the whole string; the assembled deltas stand in only when it is empty.
    const text = frame.arguments !== '' ? frame.arguments : (this.#deltas.get(callId) ?? '');
    this.#deltas.delete(callId);
    if (this.#open.has(callId)) return; // a repeated done: the first one is being answered
    this.#cancelDebounce(); // a new open call extends the batch
    const entry: OpenCall = { name, responseId: frame.response_id, timer: undefined };
    this.#open.set(callId, entry);
    entry.timer = this.#host.timers.setTimeout(() => {
      const message = `Tool "${name}" did not answer within ${this.#host.toolTimeoutMs} ms.`;
      this.#host.error(message);
      this.#post(callId, entry, JSON.stringify({ error: message }));
    }, this.#host.toolTimeoutMs);
    this.#host.changed();

    const args = parseArguments(text);
    if (typeof args === 'string') {
      const message = `Tool "${name}" was called with arguments that are not a JSON object: ${args}`;
      this.#host.error(message);
      this.#post(callId, entry, JSON.stringify({ error: message }));
      return;
    }
    this.#host.call({ callId, name, arguments: args });
  }

  /** The page's answer to an open call (later answers, and answers after a reset, are ignored). */
  answer(callId: string, result: ToolResult): void {
    const entry = this.#open.get(callId);
    if (!entry) return;
    if ('error' in result) {
      this.#host.error(`Tool "${entry.name}" failed: ${result.error}`);
      this.#post(callId, entry, JSON.stringify({ error: result.error }));
    } else this.#post(callId, entry, result.output);
  }

  /** A response ended: if Hydra abandoned it, its calls get no narration request. */
  responseEnded(responseId: string, status: string): void {
    if (status !== 'cancelled' && status !== 'failed') return;
    const mine = this.#answered.has(responseId) || [...this.#open.values()].some((c) => c.responseId === responseId);
    if (mine) this.#abandoned.add(responseId);
  }

  /** `tool_response_timeout`: Hydra gave up on every call open now. */
  abandonOpen(): void {
    for (const call of this.#open.values()) this.#abandoned.add(call.responseId);
    for (const id of this.#answered) this.#abandoned.add(id);
  }

  /** Forgets everything (socket closed or stop()): late answers go nowhere. */
  reset(): void {
    for (const call of this.#open.values()) this.#host.timers.clearTimeout(call.timer);
    this.#open.clear();
    this.#deltas.clear();
    this.#answered.clear();
    this.#abandoned.clear();
    this.#cancelDebounce();
  }

  #post(callId: string, entry: OpenCall, output: string): void {
    if (this.#open.get(callId) !== entry) return; // already answered, timed out, or reset
    this.#open.delete(callId);
    this.#host.timers.clearTimeout(entry.timer);
    this.#host.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
    this.#answered.add(entry.responseId);
    if (this.#open.size === 0) {
      this.#debounce = this.#host.timers.setTimeout(() => this.#requestResponse(), this.#host.debounceMs);
    }
    this.#host.changed();
  }

  #requestResponse(): void {
    this.#debounce = undefined;
    const wanted = [...this.#answered].some((id) => !this.#abandoned.has(id));
    this.#answered.clear();
    this.#abandoned.clear(); // no call is open here, so the batch is complete
    if (wanted) this.#host.send({ type: 'response.create' });
    this.#host.changed();
  }

  #cancelDebounce(): void {
    if (this.#debounce === undefined) return;
    this.#host.timers.clearTimeout(this.#debounce);
    this.#debounce = undefined;
  }
}

/** The arguments object, or a description of why it is not one. Empty means no arguments. */
function parseArguments(text: string): Record<string, unknown> | string {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${text.slice(0, 80)} is not an object`;
  return value as Record<string, unknown>;
}
