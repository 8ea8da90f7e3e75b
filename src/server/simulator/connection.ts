// One simulated Hydra session: the protocol state machine behind one WebSocket.
//   awaiting configure ──session.configure──▶ configured ──close──▶ closed
// In the configured state, input audio drives the turn detector; a completed turn starts a
// response (speech, parrot audio, or tool calls); speech during a response cancels it.
import type { WebSocket } from 'ws';
import * as z from 'zod/mini';
import {
  SERVER_DEFAULT_VOICE,
  SessionConfigLenient,
  VOICES,
  base64ToBytes,
  base64ToPcm16,
  parseClientFrame,
  pcm16ToBase64,
  type ClientFrame,
  type ClientFrameOf,
  type ConversationItem,
  type ErrorCode,
  type Model,
  type Tool,
} from '../../protocol/index.ts';
import { upsampleInteger } from '../audio/upsample.ts';
import { AudioStream } from './audio-stream.ts';
import * as ids from './ids.ts';
import type { ReplyContext, ReplyMode, ResolvedOptions, ResponseTiming, ResponseTrigger } from './options.ts';
import { InputRecorder } from './recorder.ts';
import { defaultReplyText, replyModeFor } from './replies.ts';
import { OUTPUT_RATE, speak } from './speech.ts';
import { defaultToolPolicy, planCalls, splitDeltas } from './tool-policy.ts';
import { VoiceActivity, type FvadModule, type TurnEvent } from './vad.ts';

/** Applied when `instructions` is omitted (the echo shows the client its persona was not). */
export const DEFAULT_INSTRUCTIONS = 'You are a helpful voice assistant. Keep replies short.';

// session.configure as Hydra reads it: unknown keys inside `session` are ignored.
const LenientConfigureFrame = z.object({
  type: z.literal('session.configure'),
  event_id: z.optional(z.string()),
  session: SessionConfigLenient,
});

// Node's timers overflow (and fire at once) above 2^31-1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

// Made-up but stable usage units: 25 audio tokens per second, like a 40 ms codec frame.
const tokensFor = (ms: number) => Math.round(ms / 40);

interface AppliedConfig {
  instructions: string;
  voice: string;
  tools: Tool[];
  generate_initial_response: boolean;
}

interface ActiveResponse {
  id: string;
  trigger: ResponseTrigger;
  userItemId?: string;
  speechStoppedAt?: number;
  createdAt: number;
  firstDeltaAt?: number;
  /** Items this response added, in order (assistant message or function calls). */
  items: ConversationItem[];
  stream?: AudioStream;
  waits: Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>;
  over: boolean;
  text?: string;
  toolCalls?: { callId: string; name: string; arguments: string }[];
  audioMs: number;
  inputMs: number;
}

interface PendingTools {
  calls: Map<string, { name: string; output?: string }>;
  timer: ReturnType<typeof setTimeout>;
  userItemId: string;
  speechStoppedAt: number;
}

export interface SessionHost {
  options: ResolvedOptions;
  fvad: Promise<FvadModule>;
  onClosed(session: SimSession): void;
}

/** One session. Created after a successful upgrade; sends `session.created` at once. */
export class SimSession {
  readonly id = ids.sessionId();
  private readonly options: ResolvedOptions;
  private config: AppliedConfig | undefined;
  private mode: ReplyMode = 'scripted';
  private vad: VoiceActivity | undefined;
  private fvad: FvadModule | undefined;
  private queuedAudio: Int16Array[] = [];
  private recorder: InputRecorder | undefined;
  private lastItemId: string | null = null;
  private itemOrder = new Map<string, string | null>(); // item id → previous_item_id
  private userTurn: { itemId: string; startMs: number; startedAt: number } | undefined;
  private turns = 0;
  private lastUtteranceMs = 0;
  private lastUtterance: Int16Array | undefined;
  private response: ActiveResponse | undefined;
  private responseCount = 0;
  private pendingTools: PendingTools | undefined;
  private knownCalls = new Map<string, string>(); // call_id → tool name
  private unnarrated: { callId: string; name: string; output: string }[] = [];
  private lastActivity = performance.now();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    readonly model: Model,
    private readonly host: SessionHost,
  ) {
    this.options = host.options;
    host.fvad.then(
      (m) => {
        this.fvad = m;
        this.startVadIfReady();
      },
      (e: Error) => this.fail(`voice activity detector failed to load: ${e.message}`),
    );
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('close', () => this.cleanup());
    ws.on('error', () => this.cleanup());
    this.armIdle();
    if (host.options.mode === 'parrot') this.recorder = new InputRecorder();
  }

  /** Sends the opening frames: the deprecation warning (model=hydra) and `session.created`. */
  open(deprecated: boolean): void {
    if (deprecated) {
      this.send({
        type: 'warning',
        code: 'model_deprecated',
        message: `Model "${this.model}" is deprecated; migrate to hydra-v1.0 or hydra-v1.1 and pick a voice from its roster.`,
      });
    }
    this.send({ type: 'session.created', session_id: this.id });
  }

  /** Closes the socket (after stopping everything). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.cleanup();
    this.ws.close(code, reason);
  }

  // ------------------------------------------------------------------ wire

  private send(frame: Record<string, unknown>): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    const { type, ...rest } = frame;
    this.ws.send(JSON.stringify({ type, event_id: ids.serverEventId(), ...rest }));
    this.touch();
  }

  private error(code: ErrorCode, message: string, extra: { param?: string; eventId?: string } = {}): void {
    const type = code === 'internal_error' || code === 'server_full' ? 'server_error' : 'invalid_request_error';
    this.send({
      type: 'error',
      error: {
        type,
        code,
        message,
        ...(extra.param === undefined ? {} : { param: extra.param }),
        ...(extra.eventId === undefined ? {} : { event_id: extra.eventId }),
      },
    });
  }

  private touch(): void {
    this.lastActivity = performance.now();
  }

  // One timer, re-armed lazily: traffic only moves a timestamp.
  private armIdle(): void {
    const idle = this.options.idleTimeoutMs;
    if (idle <= 0 || !Number.isFinite(idle)) return; // disabled
    const left = this.lastActivity + this.options.idleTimeoutMs - performance.now();
    this.idleTimer = setTimeout(() => {
      if (this.closed) return;
      if (performance.now() - this.lastActivity >= this.options.idleTimeoutMs - 1) this.close(1000, 'idle timeout');
      else this.armIdle();
    }, Math.min(MAX_TIMER_MS, Math.max(0, left)));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    this.touch();
    if (isBinary) {
      this.error('invalid_frame', 'binary frames are not supported; send JSON text frames');
      return;
    }
    const text = data.toString('utf8');
    const parsed = parseClientFrame(text, { maxBytes: this.options.maxFrameBytes });
    if (!parsed.ok) {
      const f = parsed.failure;
      if (f.kind === 'invalid_fields' && f.type === 'session.configure') {
        // Hydra ignores unknown keys in session.configure; only real type errors are invalid.
        const lenient = LenientConfigureFrame.safeParse(JSON.parse(text));
        if (lenient.success) {
          this.onConfigure(lenient.data);
          return;
        }
      }
      if (f.type === 'session.configure' && this.config) return; // a second configure is ignored, however broken
      this.error('invalid_frame', f.message, f.eventId === undefined ? {} : { eventId: f.eventId });
      return;
    }
    this.onFrame(parsed.frame);
  }

  private onFrame(frame: ClientFrame): void {
    const eventId = frame.event_id;
    const where = eventId === undefined ? {} : { eventId };
    switch (frame.type) {
      case 'session.configure':
        this.onConfigure(frame);
        return;
      case 'input_audio_buffer.append':
        this.onAppend(frame);
        return;
      case 'response.cancel':
        if (this.response && (frame.response_id === undefined || frame.response_id === this.response.id)) {
          this.cancelResponse('client_cancelled');
        }
        return; // no-op when nothing (or another response) is in flight
    }
    if (!this.config) {
      this.error('invalid_request_error', `${frame.type} before session.configure; configure the session first`, where);
      return;
    }
    switch (frame.type) {
      case 'session.update':
        this.onUpdate(frame);
        return;
      case 'conversation.item.create':
        this.onItemCreate(frame);
        return;
      case 'response.create':
        this.onResponseCreate(frame);
        return;
    }
  }

  // ------------------------------------------------------------------ handshake

  private onConfigure(frame: { event_id?: string; session: z.infer<typeof SessionConfigLenient> }): void {
    if (this.config) return; // exactly one session.configure is honoured
    const s = frame.session;
    const voice = s.voice === undefined || s.voice === '' ? SERVER_DEFAULT_VOICE : s.voice;
    if (s.voice !== undefined && s.voice !== '' && !VOICES[this.model].includes(s.voice)) {
      this.error(
        'invalid_request_error',
        `Unknown voice "${s.voice}" for model ${this.model}. Choose one of: ${VOICES[this.model].join(', ')}.`,
        { param: 'session.configure.session.voice', ...(frame.event_id === undefined ? {} : { eventId: frame.event_id }) },
      );
      return; // the session stays unconfigured; a corrected session.configure is accepted
    }
    this.config = {
      instructions: s.instructions ?? DEFAULT_INSTRUCTIONS,
      voice,
      tools: s.tools ?? [],
      generate_initial_response: s.generate_initial_response ?? false,
    };
    this.mode = replyModeFor(this.config.instructions, this.options.mode);
    if (this.mode === 'parrot') this.recorder ??= new InputRecorder();
    else this.recorder = undefined;
    this.send({ type: 'session.configured', session: { ...this.config } });
    this.startVadIfReady();
    if (this.config.generate_initial_response) this.startSpeechResponse('initial', {});
  }

  private onUpdate(frame: ClientFrameOf<'session.update'>): void {
    const tools = frame.session.tools;
    if (tools === undefined) return; // nothing to apply: no echo
    if (JSON.stringify(tools) === JSON.stringify(this.config!.tools)) return; // no-op patch
    this.config!.tools = tools;
    this.send({ type: 'session.updated', session: { tools } });
  }

  // ------------------------------------------------------------------ input audio

  private onAppend(frame: ClientFrameOf<'input_audio_buffer.append'>): void {
    if (!this.config) return; // before session.configured: dropped silently
    const where = frame.event_id === undefined ? {} : { eventId: frame.event_id };
    const pcm = base64ToPcm16(frame.audio);
    if (pcm === null) {
      const notBase64 = base64ToBytes(frame.audio) === null;
      this.error(
        'invalid_audio',
        notBase64 ? 'audio is not valid base64' : 'audio has an odd number of bytes; expected PCM16 little-endian',
        where,
      );
      return;
    }
    if (pcm.byteLength < this.options.minAudioChunkBytes) {
      this.error('invalid_audio', `audio chunk of ${pcm.byteLength} bytes is below the ${this.options.minAudioChunkBytes}-byte (10 ms) minimum`, where);
      return;
    }
    if (!this.vad) this.queuedAudio.push(pcm);
    else this.feed(pcm);
  }

  private startVadIfReady(): void {
    if (this.vad || !this.fvad || !this.config || this.closed) return;
    this.vad = new VoiceActivity(this.fvad, this.options.vad);
    const queued = this.queuedAudio;
    this.queuedAudio = [];
    for (const pcm of queued) this.feed(pcm);
  }

  private feed(pcm: Int16Array): void {
    this.recorder?.push(pcm, this.userTurn?.startMs);
    let events: TurnEvent[];
    try {
      events = this.vad!.push(pcm);
    } catch (e) {
      this.error('internal_error', `voice activity detection failed: ${(e as Error).message}`);
      return;
    }
    for (const event of events) {
      if (this.closed) return;
      if (event.type === 'start') this.onSpeechStarted(event.startMs);
      else this.onSpeechStopped(event.startMs, event.endMs, event.complete);
    }
  }

  private onSpeechStarted(startMs: number): void {
    const itemId = ids.itemId();
    this.userTurn = { itemId, startMs, startedAt: performance.now() };
    this.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: Math.round(startMs), item_id: itemId });
    if (this.response) this.cancelResponse('interrupted'); // barge-in
    this.addItem({ id: itemId, type: 'message', role: 'user', status: 'in_progress', content: [{ type: 'input_audio', text: null }] });
  }

  private onSpeechStopped(startMs: number, endMs: number, complete: boolean): void {
    const turn = this.userTurn;
    if (!turn) return;
    this.userTurn = undefined;
    const itemId = turn.itemId;
    this.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: Math.round(endMs), item_id: itemId });
    const speechStoppedAt = performance.now();
    const status = complete ? 'completed' : 'incomplete';
    this.send({
      type: 'conversation.item.done',
      previous_item_id: this.previousOf(itemId),
      item: { id: itemId, type: 'message', role: 'user', status, content: [{ type: 'input_audio', text: null }] },
    });
    this.options.onTurn?.({
      sessionId: this.id,
      itemId,
      audioStartMs: Math.round(startMs),
      audioEndMs: Math.round(endMs),
      status,
      speechStartedAt: turn.startedAt,
      speechStoppedAt,
    });
    if (!complete) return; // noise: no response
    this.turns++;
    this.lastUtteranceMs = endMs - startMs;
    if (this.recorder) this.lastUtterance = this.recorder.slice(startMs, endMs);
    // A response.create-triggered reply may be running while the user spoke: the turn wins.
    if (this.response) this.cancelResponse('interrupted');

    const tools = this.config!.tools;
    if (tools.length > 0) {
      const policy = this.options.toolPolicy ?? defaultToolPolicy;
      const calls = planCalls(policy({ sessionId: this.id, turn: this.turns, tools, instructions: this.config!.instructions }), tools);
      if (calls.length > 0) {
        void this.runToolResponse(calls, itemId, speechStoppedAt);
        return;
      }
    }
    this.startSpeechResponse('turn', { userItemId: itemId, speechStoppedAt });
  }

  // ------------------------------------------------------------------ items

  private addItem(item: ConversationItem): void {
    this.send({ type: 'conversation.item.added', previous_item_id: this.lastItemId, item });
    this.itemOrder.set(item.id!, this.lastItemId);
    this.lastItemId = item.id!;
  }

  private previousOf(itemId: string): string | null {
    return this.itemOrder.get(itemId) ?? null;
  }

  private doneItem(item: ConversationItem): void {
    this.send({ type: 'conversation.item.done', previous_item_id: this.previousOf(item.id!), item });
  }

  private onItemCreate(frame: ClientFrameOf<'conversation.item.create'>): void {
    const where = frame.event_id === undefined ? {} : { eventId: frame.event_id };
    const item = { ...frame.item, id: frame.item.id ?? ids.itemId() };
    if (item.type === 'function_call_output') {
      const name = item.call_id === undefined ? undefined : this.knownCalls.get(item.call_id);
      if (name === undefined) {
        this.error('invalid_request_error', `no function call with call_id ${JSON.stringify(item.call_id ?? null)}`, { param: 'item.call_id', ...where });
        return;
      }
      const output = item.output ?? '';
      const pending = this.pendingTools?.calls.get(item.call_id!);
      if (pending) pending.output = output;
      this.unnarrated.push({ callId: item.call_id!, name, output });
    }
    this.addItem(item);
    this.doneItem({ ...item, status: 'completed' });
  }

  private onResponseCreate(frame: ClientFrameOf<'response.create'>): void {
    const where = frame.event_id === undefined ? {} : { eventId: frame.event_id };
    if (this.response) {
      this.error('invalid_request_error', `response ${this.response.id} is still in progress; cancel it or wait for response.done`, where);
      return;
    }
    const pending = this.pendingTools;
    if (pending) {
      // The turn stops waiting at the first response.create: outputs still missing are
      // narrated as a half answer, exactly why clients must send only one, after all outputs.
      clearTimeout(pending.timer);
      this.pendingTools = undefined;
    }
    if (this.unnarrated.length > 0) {
      const outputs = this.unnarrated;
      this.unnarrated = [];
      this.startSpeechResponse('tool-narration', {
        toolOutputs: outputs,
        ...(pending ? { userItemId: pending.userItemId, speechStoppedAt: pending.speechStoppedAt } : {}),
        since: performance.now(),
      });
      return;
    }
    this.startSpeechResponse('response.create', { since: performance.now() });
  }

  // ------------------------------------------------------------------ responses

  private beginResponse(trigger: ResponseTrigger, userItemId?: string, speechStoppedAt?: number): ActiveResponse {
    const r: ActiveResponse = {
      id: ids.responseId(),
      trigger,
      ...(userItemId === undefined ? {} : { userItemId }),
      ...(speechStoppedAt === undefined ? {} : { speechStoppedAt }),
      createdAt: performance.now(),
      items: [],
      waits: new Set(),
      over: false,
      audioMs: 0,
      inputMs: trigger === 'turn' ? this.lastUtteranceMs : 0,
    };
    this.response = r;
    this.responseCount++;
    this.send({ type: 'response.created', response: { id: r.id, status: 'in_progress', output: [] } });
    return r;
  }

  /** Waits `ms` unless the response ends first (then resolves early; callers check `over`). */
  private wait(r: ActiveResponse, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          r.waits.delete(entry);
          resolve();
        }, Math.max(0, ms)),
        resolve,
      };
      r.waits.add(entry);
    });
  }

  private startSpeechResponse(
    trigger: ResponseTrigger,
    ctx: { userItemId?: string; speechStoppedAt?: number; since?: number; toolOutputs?: ReplyContext['toolOutputs'] },
  ): void {
    const r = this.beginResponse(trigger, ctx.userItemId, ctx.speechStoppedAt);
    void this.runSpeechResponse(r, ctx).catch((e: Error) => this.failResponse(r, e.message));
  }

  private async runSpeechResponse(
    r: ActiveResponse,
    ctx: { speechStoppedAt?: number; since?: number; toolOutputs?: ReplyContext['toolOutputs'] },
  ): Promise<void> {
    const config = this.config!;
    const item: ConversationItem = { id: ids.itemId(), type: 'message', role: 'assistant', status: 'in_progress', content: [{ type: 'output_audio', text: null }] };
    r.items.push(item);
    this.addItem(item);

    const since = ctx.since ?? ctx.speechStoppedAt ?? r.createdAt;
    const latency = this.wait(r, this.options.replyLatencyMs - (performance.now() - since));
    let audio: Promise<Int16Array>;
    const parrotTurn = this.mode === 'parrot' && (r.trigger === 'turn' || r.trigger === 'response.create') && this.lastUtterance;
    if (parrotTurn) {
      audio = Promise.resolve(upsampleInteger(this.lastUtterance!, OUTPUT_RATE / 16_000));
    } else {
      const replyCtx: ReplyContext = {
        sessionId: this.id,
        trigger: r.trigger,
        turn: this.turns,
        utteranceMs: this.lastUtteranceMs,
        instructions: config.instructions,
        voice: config.voice,
        toolOutputs: ctx.toolOutputs ?? [],
      };
      const custom = this.mode !== 'parrot' || r.trigger === 'tool-narration' ? this.options.replyText : undefined;
      r.text = (custom ?? ((c: ReplyContext) => defaultReplyText(this.mode, c)))(replyCtx);
      audio = speak(r.text, config.voice);
    }
    const [pcm] = await Promise.all([audio, latency]);
    if (r.over) return;
    if (this.options.faults.failResponse?.({ sessionId: this.id, trigger: r.trigger, responseIndex: this.responseCount })) {
      this.failResponse(r, 'injected fault: the model failed while generating audio');
      return;
    }

    const stream = new AudioStream(
      pcm,
      { chunkMs: this.options.chunkMs, speed: this.options.speed, leadMs: this.options.leadMs, sampleRate: OUTPUT_RATE },
      (chunk) => {
        r.firstDeltaAt ??= performance.now();
        r.audioMs += (chunk.length * 1000) / OUTPUT_RATE;
        this.send({ type: 'response.output_audio.delta', response_id: r.id, item_id: item.id, output_index: 0, content_index: 0, delta: pcm16ToBase64(chunk) });
      },
    );
    r.stream = stream;
    if ((await stream.start()) === 'cancelled' || r.over) return;
    this.send({ type: 'response.output_audio.done', response_id: r.id, item_id: item.id, output_index: 0, content_index: 0 });
    item.status = 'completed';
    this.doneItem(item);
    this.finishResponse(r, 'completed');
  }

  private async runToolResponse(calls: { tool: Tool; args: unknown }[], userItemId: string, speechStoppedAt: number): Promise<void> {
    const r = this.beginResponse('turn', userItemId, speechStoppedAt);
    r.toolCalls = [];
    try {
      await this.wait(r, this.options.toolCallLatencyMs - (performance.now() - speechStoppedAt));
      if (r.over) return;
      if (this.options.faults.failResponse?.({ sessionId: this.id, trigger: r.trigger, responseIndex: this.responseCount })) {
        this.failResponse(r, 'injected fault: the model failed while calling tools');
        return;
      }
      for (const [index, { tool, args }] of calls.entries()) {
        const callId = ids.callId();
        const json = JSON.stringify(args);
        const item: ConversationItem = { id: ids.itemId(), type: 'function_call', status: 'in_progress', call_id: callId, name: tool.name, arguments: '' };
        r.items.push(item);
        this.addItem(item);
        for (const [i, piece] of splitDeltas(json, 3).entries()) {
          this.send({
            type: 'response.function_call_arguments.delta',
            response_id: r.id,
            item_id: item.id,
            output_index: index,
            call_id: callId,
            ...(i === 0 ? { name: tool.name } : {}),
            delta: piece,
          });
          await this.wait(r, 0); // let a barge-in land between fragments
          if (r.over) return;
        }
        this.send({ type: 'response.function_call_arguments.done', response_id: r.id, item_id: item.id, output_index: index, call_id: callId, name: tool.name, arguments: json });
        item.arguments = json;
        item.status = 'completed';
        this.doneItem(item);
        this.knownCalls.set(callId, tool.name);
        r.toolCalls.push({ callId, name: tool.name, arguments: json });
      }
      this.finishResponse(r, 'completed');
      this.awaitToolOutputs(r, userItemId, speechStoppedAt);
    } catch (e) {
      this.failResponse(r, (e as Error).message);
    }
  }

  private awaitToolOutputs(r: ActiveResponse, userItemId: string, speechStoppedAt: number): void {
    if (this.pendingTools) clearTimeout(this.pendingTools.timer); // a newer tool turn supersedes
    this.unnarrated = [];
    const calls: PendingTools['calls'] = new Map(r.toolCalls!.map((c) => [c.callId, { name: c.name }]));
    const windowMs = this.options.toolResponseWindowMs;
    const pending: PendingTools = {
      calls,
      userItemId,
      speechStoppedAt,
      // setTimeout(Infinity) would fire at once (overflow): an infinite window has no timer.
      timer: setTimeout(() => {
        if (this.pendingTools !== pending || this.closed) return;
        this.pendingTools = undefined;
        this.unnarrated = [];
        const missing = [...calls.values()].filter((c) => c.output === undefined).map((c) => c.name);
        this.error(
          'tool_response_timeout',
          missing.length > 0
            ? `no function_call_output for ${missing.join(', ')} within ${this.options.toolResponseWindowMs} ms; the turn was abandoned`
            : `no response.create within ${this.options.toolResponseWindowMs} ms of the tool calls; the turn was abandoned`,
        );
      }, Math.min(windowMs, MAX_TIMER_MS)),
    };
    if (!Number.isFinite(windowMs)) clearTimeout(pending.timer);
    this.pendingTools = pending;
  }

  private endWaits(r: ActiveResponse): void {
    r.over = true;
    for (const w of r.waits) {
      clearTimeout(w.timer);
      w.resolve();
    }
    r.waits.clear();
    r.stream?.cancel();
    if (this.response === r) this.response = undefined;
  }

  private usage(r: ActiveResponse) {
    const input = tokensFor(r.inputMs);
    const output = tokensFor(r.audioMs) + (r.toolCalls ?? []).reduce((n, c) => n + Math.ceil(c.arguments.length / 4), 0);
    return { input_tokens: input, output_tokens: output, total_tokens: input + output };
  }

  private finishResponse(r: ActiveResponse, status: 'completed'): void {
    this.endWaits(r);
    this.send({ type: 'response.done', response: { id: r.id, status, status_details: null, output: r.items, usage: this.usage(r) } });
    this.report(r, status);
  }

  /** Marks the response's unfinished items incomplete and announces each as done. */
  private closeOpenItems(r: ActiveResponse): void {
    for (const item of r.items) {
      if (item.status === 'in_progress') {
        item.status = 'incomplete';
        this.doneItem(item);
      }
    }
  }

  /** Ends the in-flight response at once: no delta of it is sent after this returns. */
  private cancelResponse(reason: 'interrupted' | 'client_cancelled'): void {
    const r = this.response;
    if (!r) return;
    this.endWaits(r);
    this.closeOpenItems(r);
    this.send({
      type: 'response.done',
      response: { id: r.id, status: 'cancelled', status_details: { type: 'cancelled', reason }, output: r.items, usage: this.usage(r) },
    });
    this.report(r, 'cancelled', reason);
  }

  private failResponse(r: ActiveResponse, message: string): void {
    if (r.over) return;
    this.endWaits(r);
    this.closeOpenItems(r);
    this.send({
      type: 'response.done',
      response: {
        id: r.id,
        status: 'failed',
        status_details: { type: 'failed', error: { code: 'internal_error', type: 'server_error' } },
        output: r.items,
        usage: null,
      },
    });
    this.error('internal_error', message);
    this.report(r, 'failed');
  }

  private report(r: ActiveResponse, status: ResponseTiming['status'], reason?: ResponseTiming['reason']): void {
    this.options.onTiming?.({
      sessionId: this.id,
      responseId: r.id,
      trigger: r.trigger,
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(r.userItemId === undefined ? {} : { itemId: r.userItemId }),
      ...(r.speechStoppedAt === undefined ? {} : { speechStoppedAt: r.speechStoppedAt }),
      responseCreatedAt: r.createdAt,
      ...(r.firstDeltaAt === undefined ? {} : { firstDeltaAt: r.firstDeltaAt }),
      doneAt: performance.now(),
      ...(r.text === undefined ? {} : { text: r.text }),
      ...(r.toolCalls === undefined ? {} : { toolCalls: r.toolCalls }),
      audioMs: Math.round(r.audioMs),
    });
  }

  // ------------------------------------------------------------------ teardown

  private fail(message: string): void {
    this.error('internal_error', message);
    this.close(1011, 'internal error');
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.response) this.endWaits(this.response);
    if (this.pendingTools) clearTimeout(this.pendingTools.timer);
    this.pendingTools = undefined;
    clearTimeout(this.idleTimer);
    this.vad?.free();
    this.vad = undefined;
    this.host.onClosed(this);
  }
}
