// The tool turn: a user turn answered with function calls instead of speech.
//   response.created → per call: item added, 3 argument deltas, arguments done, item done
//   → response.done completed → wait up to toolResponseWindowMs for function_call_output
//   items and one response.create, which narrates the outputs received so far
//   (no response.create in time: `tool_response_timeout`, the turn is abandoned).
import type { ConversationItem, Tool } from '../../protocol/index.ts';
import type { ErrorSource, SessionContext } from './context.ts';
import * as ids from './ids.ts';
import { LIMITS } from './limits.ts';
import type { ReplyContext } from './options.ts';
import type { ActiveResponse, ResponseOrigin, Responses, ToolCallRecord } from './responses.ts';
import { splitDeltas } from './tool-policy.ts';

// Node's timers overflow (and fire at once) above 2^31-1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

type ToolOutput = ReplyContext['toolOutputs'][number];

interface AwaitedOutputs {
  /** Call id → tool name and output once received. */
  calls: Map<string, { name: string; output?: string }>;
  origin: ResponseOrigin;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class ToolTurn {
  private awaited: AwaitedOutputs | undefined;
  /** Call id → tool name, for every call this session made (the most recent LIMITS.knownCalls). */
  private readonly knownCalls = new Map<string, string>();
  /** Outputs received since the last narration, oldest first. */
  private held: ToolOutput[] = [];

  constructor(
    private readonly session: SessionContext,
    private readonly responses: Responses,
  ) {}

  /** Answers a completed user turn with `calls`, streamed as one response. */
  start(calls: { tool: Tool; args: unknown }[], origin: Required<ResponseOrigin>, inputMs: number): void {
    const r = this.responses.begin('turn', origin, inputMs);
    r.toolCalls = [];
    this.streamCalls(r, calls, origin).catch((e: unknown) => this.session.crash(e));
  }

  private async streamCalls(r: ActiveResponse, calls: { tool: Tool; args: unknown }[], origin: Required<ResponseOrigin>): Promise<void> {
    await r.wait(this.session.options.toolCallLatencyMs - (performance.now() - origin.speechStoppedAt));
    if (r.over) return;
    if (this.responses.faultInjected(r)) {
      this.responses.fail(r, 'injected fault: the model failed while calling tools');
      return;
    }
    for (const [outputIndex, { tool, args }] of calls.entries()) {
      const call: ToolCallRecord = { callId: ids.callId(), name: tool.name, arguments: JSON.stringify(args) };
      const entry = this.session.addItem({ id: ids.itemId(), type: 'function_call', status: 'in_progress', call_id: call.callId, name: call.name, arguments: '' });
      r.items.push(entry);
      const where = { response_id: r.id, item_id: entry.item.id, output_index: outputIndex, call_id: call.callId };
      for (const [i, delta] of splitDeltas(call.arguments, 3).entries()) {
        this.session.send('response.function_call_arguments.delta', { ...where, name: i === 0 ? call.name : undefined, delta });
        await r.wait(0); // let a barge-in land between fragments
        if (r.over) return;
      }
      this.session.send('response.function_call_arguments.done', { ...where, name: call.name, arguments: call.arguments });
      entry.item.arguments = call.arguments;
      entry.item.status = 'completed';
      this.session.doneItem(entry);
      this.remember(call);
      r.toolCalls!.push(call);
    }
    this.responses.finish(r);
    this.awaitOutputs(r.toolCalls!, origin);
  }

  private remember(call: ToolCallRecord): void {
    this.knownCalls.set(call.callId, call.name);
    if (this.knownCalls.size > LIMITS.knownCalls) this.knownCalls.delete(this.knownCalls.keys().next().value!);
  }

  private awaitOutputs(calls: ToolCallRecord[], origin: ResponseOrigin): void {
    this.stopWaiting(); // a newer tool turn supersedes
    this.held = [];
    const windowMs = this.session.options.toolResponseWindowMs;
    const awaited: AwaitedOutputs = { calls: new Map(calls.map((c) => [c.callId, { name: c.name }])), origin, timer: undefined };
    // setTimeout(Infinity) would fire at once (overflow): an infinite window has no timer.
    if (Number.isFinite(windowMs)) {
      awaited.timer = setTimeout(() => this.session.guard(() => this.timeOut(awaited)), Math.min(windowMs, MAX_TIMER_MS));
    }
    this.awaited = awaited;
  }

  private timeOut(awaited: AwaitedOutputs): void {
    if (this.awaited !== awaited) return;
    this.awaited = undefined;
    this.held = [];
    const windowMs = this.session.options.toolResponseWindowMs;
    const missing = [...awaited.calls.values()].filter((c) => c.output === undefined).map((c) => c.name);
    this.session.error(
      'tool_response_timeout',
      missing.length > 0
        ? `no function_call_output for ${missing.join(', ')} within ${windowMs} ms; the turn was abandoned`
        : `no response.create within ${windowMs} ms of the tool calls; the turn was abandoned`,
    );
  }

  /**
   * Takes a `function_call_output` item: held for narration when its call_id belongs to a
   * call of this session, else `invalid_request_error` (param `item.call_id`) and false.
   */
  acceptOutput(item: ConversationItem, source: ErrorSource): boolean {
    const name = item.call_id === undefined ? undefined : this.knownCalls.get(item.call_id);
    if (name === undefined) {
      this.session.error('invalid_request_error', `no function call with call_id ${JSON.stringify(item.call_id ?? null).slice(0, 100)}`, { ...source, param: 'item.call_id' });
      return false;
    }
    const output = item.output ?? '';
    const awaitedCall = this.awaited?.calls.get(item.call_id!);
    if (awaitedCall) awaitedCall.output = output;
    this.held.push({ callId: item.call_id!, name, output });
    if (this.held.length > LIMITS.heldToolOutputs) this.held.shift();
    return true;
  }

  /**
   * At a `response.create`: ends the wait for outputs (outputs still missing are narrated
   * as a half answer, exactly why clients must send only one, after all outputs) and
   * returns the outputs to narrate with the turn they answer.
   */
  takeForNarration(): { outputs: ToolOutput[]; origin: ResponseOrigin } {
    const origin = this.awaited?.origin ?? {};
    this.stopWaiting();
    const outputs = this.held;
    this.held = [];
    return { outputs, origin };
  }

  /** Stops waiting for outputs (the session is closing, or a new turn supersedes). */
  stopWaiting(): void {
    clearTimeout(this.awaited?.timer);
    this.awaited = undefined;
  }
}
