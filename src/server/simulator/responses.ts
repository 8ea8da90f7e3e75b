// The response lifecycle of one session: `response.created` → items and audio (or tool-call
// arguments, tool-turn.ts) → `response.done`, ended one of three ways: completed, cancelled
// (barge-in or response.cancel) or failed (synthesis failure or an injected fault).
// At most one response is in flight; ending it stops its timers and audio stream at once,
// so no frame of it follows its `response.done`.
import { pcm16ToBase64, type ResponseDoneBody, type UsageBody } from '../../protocol/index.ts';
import { AudioStream } from './audio-stream.ts';
import type { LoggedItem, SessionContext } from './context.ts';
import * as ids from './ids.ts';
import { capSpokenText } from './limits.ts';
import type { ResponseTiming, ResponseTrigger } from './options.ts';
import { OUTPUT_RATE, speak } from './speech.ts';

/** The user turn a response answers (absent for greetings and bare response.create). */
export interface ResponseOrigin {
  userItemId?: string;
  speechStoppedAt?: number;
}

export interface ToolCallRecord {
  callId: string;
  name: string;
  arguments: string;
}

/** What a spoken response says: text to synthesize, or 48 kHz audio on its way (parrot mode). */
export type SpeechSource = { text: string; voice: string } | { audio: Promise<Int16Array> };

// Made-up but stable usage units: 25 audio tokens per second, like a 40 ms codec frame.
const tokensFor = (ms: number) => Math.round(ms / 40);

/** One response in flight: its items, and the timers and stream to stop when it ends. */
export class ActiveResponse {
  readonly id = ids.responseId();
  readonly createdAt = performance.now();
  readonly items: LoggedItem[] = [];
  over = false;
  firstDeltaAt?: number;
  /** Milliseconds of audio sent. */
  audioMs = 0;
  text?: string;
  toolCalls?: ToolCallRecord[];
  stream?: AudioStream;
  private readonly waits = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();

  constructor(
    readonly trigger: ResponseTrigger,
    readonly origin: ResponseOrigin,
    /** Milliseconds of user audio this response answers (for usage). */
    readonly inputMs: number,
  ) {}

  /** Waits `ms` unless the response ends first (then resolves early; callers check `over`). */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, Math.max(0, ms)),
        resolve,
      };
      this.waits.add(entry);
    });
  }

  /** Marks it over: pending waits resolve now, the audio stream stops. */
  end(): void {
    this.over = true;
    for (const w of this.waits) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waits.clear();
    this.stream?.cancel();
  }

  usage(): UsageBody {
    const input = tokensFor(this.inputMs);
    const output = tokensFor(this.audioMs) + (this.toolCalls ?? []).reduce((n, c) => n + Math.ceil(c.arguments.length / 4), 0);
    return { input_tokens: input, output_tokens: output, total_tokens: input + output };
  }
}

export class Responses {
  /** The response in flight, if any. */
  current: ActiveResponse | undefined;
  /** Responses started in this session (1-based index of the latest, for fault injection). */
  private count = 0;

  constructor(private readonly session: SessionContext) {}

  /** Starts a response: sends `response.created`. */
  begin(trigger: ResponseTrigger, origin: ResponseOrigin, inputMs: number): ActiveResponse {
    const r = new ActiveResponse(trigger, origin, inputMs);
    this.current = r;
    this.count++;
    this.session.send('response.created', { response: { id: r.id, status: 'in_progress', output: [] } });
    return r;
  }

  /** Whether `faults.failResponse` asks this response to fail. */
  faultInjected(r: ActiveResponse): boolean {
    return this.session.options.faults.failResponse?.({ sessionId: this.session.id, trigger: r.trigger, responseIndex: this.count }) ?? false;
  }

  /**
   * A spoken response: an assistant message whose audio streams at the pace set by the
   * options, no earlier than `replyLatencyMs` after `since`.
   */
  speak(trigger: ResponseTrigger, origin: ResponseOrigin, inputMs: number, since: number, source: SpeechSource): void {
    const r = this.begin(trigger, origin, inputMs);
    this.runSpeech(r, since, source).catch((e: unknown) => this.session.crash(e));
  }

  private async runSpeech(r: ActiveResponse, since: number, source: SpeechSource): Promise<void> {
    const { options } = this.session;
    const entry = this.session.addItem({ id: ids.itemId(), type: 'message', role: 'assistant', status: 'in_progress', content: [{ type: 'output_audio', text: null }] });
    r.items.push(entry);
    const latency = r.wait(options.replyLatencyMs - (performance.now() - since));
    let audio: Promise<Int16Array>;
    if ('audio' in source) audio = source.audio;
    else {
      r.text = capSpokenText(source.text);
      audio = speak(r.text, source.voice);
    }
    let pcm: Int16Array;
    try {
      [pcm] = await Promise.all([audio, latency]);
    } catch (e) {
      this.fail(r, `reply audio failed: ${(e as Error).message}`);
      return;
    }
    if (r.over) return;
    if (this.faultInjected(r)) {
      this.fail(r, 'injected fault: the model failed while generating audio');
      return;
    }
    const itemId = entry.item.id;
    r.stream = new AudioStream(pcm, { chunkMs: options.chunkMs, speed: options.speed, leadMs: options.leadMs, sampleRate: OUTPUT_RATE }, (chunk) =>
      this.session.guard(() => {
        r.firstDeltaAt ??= performance.now();
        r.audioMs += (chunk.length * 1000) / OUTPUT_RATE;
        this.session.send('response.output_audio.delta', { response_id: r.id, item_id: itemId, output_index: 0, content_index: 0, delta: pcm16ToBase64(chunk) });
      }),
    );
    if ((await r.stream.start()) === 'cancelled' || r.over) return;
    this.session.send('response.output_audio.done', { response_id: r.id, item_id: itemId, output_index: 0, content_index: 0 });
    entry.item.status = 'completed';
    this.session.doneItem(entry);
    this.finish(r);
  }

  /** Ends `r` completed. */
  finish(r: ActiveResponse): void {
    this.end(r, { id: r.id, status: 'completed', output: this.output(r), usage: r.usage() });
  }

  /** Ends the in-flight response at once: no frame of it is sent after this returns. */
  cancel(reason: 'interrupted' | 'client_cancelled'): void {
    const r = this.current;
    if (!r) return;
    this.closeOpenItems(r);
    this.end(r, { id: r.id, status: 'cancelled', status_details: { type: 'cancelled', reason }, output: this.output(r), usage: r.usage() }, reason);
  }

  /** Ends `r` failed, then reports `internal_error` (the session carries on). */
  fail(r: ActiveResponse, message: string): void {
    if (r.over) return;
    this.closeOpenItems(r);
    this.end(r, { id: r.id, status: 'failed', status_details: { type: 'failed', error: { code: 'internal_error', type: 'server_error' } }, output: this.output(r) });
    this.session.error('internal_error', message);
  }

  /** Stops whatever is in flight, without a frame (the session is closing). */
  abandon(): void {
    this.current?.end();
    this.current = undefined;
  }

  private output(r: ActiveResponse) {
    return r.items.map((e) => e.item);
  }

  /** Marks the response's unfinished items incomplete and announces each as done. */
  private closeOpenItems(r: ActiveResponse): void {
    for (const entry of r.items) {
      if (entry.item.status !== 'in_progress') continue;
      entry.item.status = 'incomplete';
      this.session.doneItem(entry);
    }
  }

  private end(r: ActiveResponse, done: Exclude<ResponseDoneBody, { status: 'incomplete' }>, reason?: ResponseTiming['reason']): void {
    r.end();
    if (this.current === r) this.current = undefined;
    this.session.send('response.done', { response: done });
    this.report(r, done.status, reason);
  }

  private report(r: ActiveResponse, status: ResponseTiming['status'], reason?: ResponseTiming['reason']): void {
    const onTiming = this.session.options.onTiming;
    if (!onTiming) return;
    const timing: ResponseTiming = {
      sessionId: this.session.id,
      responseId: r.id,
      trigger: r.trigger,
      status,
      responseCreatedAt: r.createdAt,
      doneAt: performance.now(),
      audioMs: Math.round(r.audioMs),
    };
    if (reason !== undefined) timing.reason = reason;
    if (r.origin.userItemId !== undefined) timing.itemId = r.origin.userItemId;
    if (r.origin.speechStoppedAt !== undefined) timing.speechStoppedAt = r.origin.speechStoppedAt;
    if (r.firstDeltaAt !== undefined) timing.firstDeltaAt = r.firstDeltaAt;
    if (r.text !== undefined) timing.text = r.text;
    if (r.toolCalls !== undefined) timing.toolCalls = r.toolCalls;
    onTiming(timing);
  }
}
