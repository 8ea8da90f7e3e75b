// One simulated Hydra session: the socket, the handshake and the routing of client frames.
//   awaiting configure ──session.configure──▶ configured ──close──▶ closed
// Once configured, input audio drives the turn detector (user-turns.ts); a completed turn
// starts a response (responses.ts: speech or parrot audio; tool-turn.ts: tool calls), and
// speech during a response cancels it (barge-in).
//
// Whatever a client sends only affects its own session: frames are bounded in size and
// depth (parse.ts), derived work in size (limits.ts), speech is synthesized off the event
// loop, and every entry point (socket events, timers, promise continuations) runs inside
// guard(), so an unexpected exception ends this session with `internal_error` and close
// 1011, never the process.
import type { WebSocket } from 'ws';
import * as z from 'zod/mini';
import {
  SERVER_DEFAULT_VOICE,
  SessionConfigLenient,
  VOICES,
  base64ToBytes,
  base64ToPcm16,
  errorFrame,
  parseClientFrame,
  serverFrame,
  WS_CLOSE,
  type AppliedSession,
  type ClientFrame,
  type ClientFrameOf,
  type ConversationItem,
  type ErrorCode,
  type Model,
  type ServerFrameBodies,
  type ServerFrameType,
} from '../../protocol/index.ts';
import { upsampleOffThread } from '../tts/synthesis-thread.ts';
import type { ErrorSource, LoggedItem, SessionContext } from './context.ts';
import * as ids from './ids.ts';
import { LIMITS } from './limits.ts';
import type { ReplyContext, ReplyMode, ResolvedOptions, ResponseTrigger } from './options.ts';
import { defaultReplyText, replyModeFor } from './replies.ts';
import { Responses, type ResponseOrigin, type SpeechSource } from './responses.ts';
import { OUTPUT_RATE } from './speech.ts';
import { defaultToolPolicy, planCalls } from './tool-policy.ts';
import { ToolTurn } from './tool-turn.ts';
import { UserTurns, type UserTurn } from './user-turns.ts';
import type { FvadModule } from './vad.ts';

/** Applied when `instructions` is omitted (the echo shows the client its persona was not). */
export const DEFAULT_INSTRUCTIONS = 'You are a helpful voice assistant. Keep replies short.';

// session.configure as Hydra reads it: unknown keys inside `session` are ignored.
const LenientConfigureFrame = z.object({
  type: z.literal('session.configure'),
  event_id: z.optional(z.string()),
  session: SessionConfigLenient,
});
type ConfigureFrame = z.infer<typeof LenientConfigureFrame>;

// Node's timers overflow (and fire at once) above 2^31-1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionHost {
  options: ResolvedOptions;
  fvad: Promise<FvadModule>;
  onClosed(session: SimSession): void;
}

/** A client's item as the server keeps it: the contract's fields only (undefined ones never reach the wire). */
function knownItemFields(item: ConversationItem): LoggedItem['item'] {
  const { id = ids.itemId(), type, role, status, content, call_id, name, arguments: args, output } = item;
  return { id, type, role, status, content: content?.map((part) => ({ type: part.type, text: part.text })), call_id, name, arguments: args, output };
}

/** One session. Created after a successful upgrade; open() sends the opening frames. */
export class SimSession implements SessionContext {
  readonly id = ids.sessionId();
  readonly options: ResolvedOptions;
  private config: AppliedSession | undefined;
  private mode: ReplyMode = 'scripted';
  private fvad: FvadModule | undefined;
  private lastItemId: string | undefined;
  private readonly user = new UserTurns(this, {
    speechStarted: () => this.responses.cancel('interrupted'), // barge-in
    turnCompleted: (turn) => this.onTurnCompleted(turn),
  });
  private readonly responses = new Responses(this);
  private readonly tools = new ToolTurn(this, this.responses);
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
      (m) =>
        this.guard(() => {
          this.fvad = m;
          this.startTurnDetectionIfReady();
        }),
      (e: Error) => this.guard(() => this.fail(`voice activity detector failed to load: ${e.message}`)),
    );
    ws.on('message', (data: Buffer, isBinary: boolean) => this.guard(() => this.onMessage(data, isBinary)));
    ws.on('close', () => this.cleanup());
    ws.on('error', () => this.cleanup());
    this.armIdle();
    this.user.record(host.options.mode === 'parrot');
  }

  /** Sends the opening frames: the deprecation warning (model=hydra) and `session.created`. */
  open(deprecated: boolean): void {
    if (deprecated) {
      this.send('warning', {
        code: 'model_deprecated',
        message: `Model "${this.model}" is deprecated; migrate to hydra-v1.0 or hydra-v1.1 and pick a voice from its roster.`,
      });
    }
    this.send('session.created', { session_id: this.id });
  }

  /** Closes the socket (after stopping everything). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.cleanup();
    this.ws.close(code, reason);
  }

  // ------------------------------------------------------------------ wire and safety

  send<T extends ServerFrameType>(type: T, body: ServerFrameBodies[T]): void {
    this.sendText(JSON.stringify(serverFrame(type, ids.serverEventId(), body)));
  }

  error(code: ErrorCode, message: string, source: ErrorSource = {}): void {
    this.sendText(JSON.stringify(errorFrame(ids.serverEventId(), { code, message, param: source.param, event_id: source.eventId })));
  }

  private sendText(data: string): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(data);
    this.options.onFrame?.({ sessionId: this.id, direction: 'sent', data, binary: false });
    this.touch();
  }

  guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (e) {
      this.crash(e);
    }
  }

  crash(e: unknown): void {
    if (this.closed) return;
    const error = e instanceof Error ? e : new Error(String(e));
    try {
      this.options.onInternalError(error, { sessionId: this.id });
    } catch {
      // A throwing reporter must not stop the session from closing.
    }
    try {
      this.error('internal_error', `internal error: ${error.message.slice(0, 200)}; the session is closed`);
      this.close(WS_CLOSE.INTERNAL_ERROR, 'internal error');
    } catch {
      this.cleanup();
      this.ws.terminate();
    }
  }

  private touch(): void {
    this.lastActivity = performance.now();
  }

  // One timer, re-armed lazily: traffic only moves a timestamp.
  private armIdle(): void {
    const idle = this.options.idleTimeoutMs;
    if (idle <= 0 || !Number.isFinite(idle)) return; // disabled
    const left = this.lastActivity + idle - performance.now();
    this.idleTimer = setTimeout(
      () =>
        this.guard(() => {
          if (performance.now() - this.lastActivity >= idle - 1) this.close(WS_CLOSE.NORMAL, 'idle timeout');
          else this.armIdle();
        }),
      Math.min(MAX_TIMER_MS, Math.max(0, left)),
    );
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.touch();
    const text = isBinary ? '' : data.toString('utf8');
    this.options.onFrame?.({ sessionId: this.id, direction: 'received', data: isBinary ? data.toString('base64') : text, binary: isBinary });
    if (isBinary) {
      this.error('invalid_frame', 'binary frames are not supported; send JSON text frames');
      return;
    }
    const parsed = parseClientFrame(text, { maxBytes: this.options.maxFrameBytes, maxDepth: LIMITS.frameDepth });
    if (parsed.ok) {
      this.route(parsed.frame);
      return;
    }
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
    this.error('invalid_frame', f.message.slice(0, 1000), { eventId: f.eventId });
  }

  private route(frame: ClientFrame): void {
    const source: ErrorSource = { eventId: frame.event_id };
    switch (frame.type) {
      case 'session.configure':
        this.onConfigure(frame);
        return;
      case 'input_audio_buffer.append':
        this.onAppend(frame, source);
        return;
      case 'response.cancel':
        if (this.responses.current && (frame.response_id === undefined || frame.response_id === this.responses.current.id)) {
          this.responses.cancel('client_cancelled');
        }
        return; // no-op when nothing (or another response) is in flight
    }
    if (!this.config) {
      this.error('invalid_request_error', `${frame.type} before session.configure; configure the session first`, source);
      return;
    }
    switch (frame.type) {
      case 'session.update':
        this.onUpdate(frame, this.config, source);
        return;
      case 'conversation.item.create':
        this.onItemCreate(frame, source);
        return;
      case 'response.create':
        this.onResponseCreate(source);
        return;
    }
  }

  // ------------------------------------------------------------------ handshake

  private onConfigure(frame: ConfigureFrame): void {
    if (this.config) return; // exactly one session.configure is honoured
    const s = frame.session;
    const roster = VOICES[this.model];
    const problem =
      s.voice !== undefined && s.voice !== '' && !roster.includes(s.voice)
        ? { param: 'voice', message: `Unknown voice "${s.voice.slice(0, 100)}" for model ${this.model}. Choose one of: ${roster.join(', ')}.` }
        : (s.instructions?.length ?? 0) > LIMITS.instructionsChars
          ? { param: 'instructions', message: `instructions of ${s.instructions!.length} characters exceed the simulator's limit of ${LIMITS.instructionsChars}` }
          : (s.tools?.length ?? 0) > LIMITS.tools
            ? { param: 'tools', message: `${s.tools!.length} tools exceed the simulator's limit of ${LIMITS.tools}` }
            : undefined;
    if (problem) {
      // The session stays unconfigured; a corrected session.configure is accepted.
      this.error('invalid_request_error', problem.message, { param: `session.configure.session.${problem.param}`, eventId: frame.event_id });
      return;
    }
    const config: AppliedSession = {
      instructions: s.instructions ?? DEFAULT_INSTRUCTIONS,
      voice: s.voice === undefined || s.voice === '' ? SERVER_DEFAULT_VOICE : s.voice,
      tools: s.tools ?? [],
      generate_initial_response: s.generate_initial_response ?? false,
    };
    this.config = config;
    this.mode = replyModeFor(config.instructions, this.options.mode);
    this.user.record(this.mode === 'parrot');
    this.send('session.configured', { session: config });
    this.startTurnDetectionIfReady();
    if (config.generate_initial_response) this.speak('initial', {}, performance.now());
  }

  private onUpdate(frame: ClientFrameOf<'session.update'>, config: AppliedSession, source: ErrorSource): void {
    const tools = frame.session.tools;
    if (tools === undefined) return; // nothing to apply: no echo
    if (tools.length > LIMITS.tools) {
      this.error('invalid_request_error', `${tools.length} tools exceed the simulator's limit of ${LIMITS.tools}`, { ...source, param: 'session.update.session.tools' });
      return;
    }
    if (JSON.stringify(tools) === JSON.stringify(config.tools)) return; // no-op patch
    config.tools = tools;
    this.send('session.updated', { session: { tools } });
  }

  // ------------------------------------------------------------------ input audio and turns

  private onAppend(frame: ClientFrameOf<'input_audio_buffer.append'>, source: ErrorSource): void {
    if (!this.config) return; // before session.configured: dropped silently
    const pcm = base64ToPcm16(frame.audio);
    if (pcm === null) {
      const notBase64 = base64ToBytes(frame.audio) === null;
      this.error('invalid_audio', notBase64 ? 'audio is not valid base64' : 'audio has an odd number of bytes; expected PCM16 little-endian', source);
      return;
    }
    if (pcm.byteLength < this.options.minAudioChunkBytes) {
      this.error('invalid_audio', `audio chunk of ${pcm.byteLength} bytes is below the ${this.options.minAudioChunkBytes}-byte (10 ms) minimum`, source);
      return;
    }
    this.user.push(pcm);
  }

  private startTurnDetectionIfReady(): void {
    if (this.fvad && this.config && !this.closed) this.user.start(this.fvad);
  }

  /** A completed user turn: answered with tool calls when the policy picks any, else spoken. */
  private onTurnCompleted(turn: UserTurn): void {
    // A response.create-triggered reply may be running while the user spoke: the turn wins.
    if (this.responses.current) this.responses.cancel('interrupted');
    const origin = { userItemId: turn.itemId, speechStoppedAt: turn.speechStoppedAt };
    const { tools, instructions } = this.config!;
    if (tools.length > 0) {
      const policy = this.options.toolPolicy ?? defaultToolPolicy;
      const calls = planCalls(policy({ sessionId: this.id, turn: this.user.count, tools, instructions }), tools);
      if (calls.length > 0) {
        this.tools.start(calls, origin, turn.utteranceMs);
        return;
      }
    }
    this.speak('turn', origin, turn.speechStoppedAt);
  }

  // ------------------------------------------------------------------ items and responses

  addItem(item: LoggedItem['item']): LoggedItem {
    const entry: LoggedItem = this.lastItemId === undefined ? { item } : { item, previousItemId: this.lastItemId };
    this.send('conversation.item.added', { previous_item_id: entry.previousItemId, item });
    this.lastItemId = item.id;
    return entry;
  }

  doneItem(entry: LoggedItem): void {
    this.send('conversation.item.done', { previous_item_id: entry.previousItemId, item: entry.item });
  }

  private onItemCreate(frame: ClientFrameOf<'conversation.item.create'>, source: ErrorSource): void {
    const item = knownItemFields(frame.item);
    if (item.type === 'function_call_output' && !this.tools.acceptOutput(item, source)) return;
    const entry = this.addItem(item);
    item.status = 'completed';
    this.doneItem(entry);
  }

  private onResponseCreate(source: ErrorSource): void {
    const current = this.responses.current;
    if (current) {
      this.error('invalid_request_error', `response ${current.id} is still in progress; cancel it or wait for response.done`, source);
      return;
    }
    const { outputs, origin } = this.tools.takeForNarration();
    if (outputs.length > 0) this.speak('tool-narration', origin, performance.now(), outputs);
    else this.speak('response.create', {}, performance.now());
  }

  /** Starts a spoken response: the reply text for `trigger` (or, in parrot mode, the user's last utterance). */
  private speak(trigger: ResponseTrigger, origin: ResponseOrigin, since: number, toolOutputs: ReplyContext['toolOutputs'] = []): void {
    const config = this.config!;
    const inputMs = trigger === 'turn' ? this.user.lastUtteranceMs : 0;
    const parrot = this.mode === 'parrot' && (trigger === 'turn' || trigger === 'response.create') ? this.user.lastUtterance : undefined;
    let source: SpeechSource;
    if (parrot) source = { audio: upsampleOffThread(parrot, OUTPUT_RATE / 16_000) };
    else {
      const context: ReplyContext = {
        sessionId: this.id,
        trigger,
        turn: this.user.count,
        utteranceMs: this.user.lastUtteranceMs,
        instructions: config.instructions,
        voice: config.voice,
        toolOutputs,
      };
      const custom = this.mode !== 'parrot' || trigger === 'tool-narration' ? this.options.replyText : undefined;
      source = { text: custom ? custom(context) : defaultReplyText(this.mode, context), voice: config.voice };
    }
    this.responses.speak(trigger, origin, inputMs, since, source);
  }

  // ------------------------------------------------------------------ teardown

  private fail(message: string): void {
    this.error('internal_error', message);
    this.close(WS_CLOSE.INTERNAL_ERROR, 'internal error');
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.responses.abandon();
    this.tools.stopWaiting();
    clearTimeout(this.idleTimer);
    this.user.free();
    this.host.onClosed(this);
  }
}
