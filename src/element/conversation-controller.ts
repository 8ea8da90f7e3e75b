// A Lit reactive controller that runs one conversation: it wires the Hydra session client
// (src/session) to the audio engine (src/audio) and reports to the element through a small
// sink. The element owns UI and public API; this file owns the plumbing between parts.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Model, SessionConfig, Tool } from '../protocol/schemas.ts';
import { HydraSession } from '../session/index.ts';
import type { HydraSessionState } from '../session/index.ts';
import { createAudioContext, MicCapture, Playback } from '../audio/index.ts';
import type { HydraErrorDetail, HydraVoiceEventMap, HydraVoiceState } from './events.ts';

/**
 * Minimum time between level publications (ms). Each one is a style change and a frame
 * on the page's main thread; the visualizer's CSS transition (on the compositor) smooths
 * between them, so ~12 a second look continuous.
 */
const LEVEL_INTERVAL_MS = 80;

export interface ConversationOptions {
  tokenEndpoint?: string | undefined;
  url?: string | undefined;
  model: Model;
  config: SessionConfig;
  workletUrl?: string | undefined;
  toolTimeoutMs?: number | undefined;
  muted: boolean;
  wireLog: boolean;
  /** Preferred microphone (deviceId); the system default when unset or gone. */
  micDeviceId?: string | undefined;
  /** Output device (deviceId) where the browser supports AudioContext.setSinkId. */
  outputDeviceId?: string | undefined;
  /** Output volume 0…1 (default 1). */
  volume?: number | undefined;
}

/** Diagnostics snapshot: counters only, copied (never live objects). */
export interface HydraVoiceDebugStats {
  sessionState: string;
  /** Mic chunks not sent because the session was not configured (startup, reconnect). */
  droppedAudioChunks: number;
  /** Reply chunks discarded because their response had been barged in. */
  droppedLateAudioChunks: number;
  /** Capture: chunks delivered, chunks missing from the worklet's sequence (lost), graph rebuilds. */
  mic: { chunks: number; lost: number; rebuilds: number };
  /** Playback: underruns (the queue of a response that had not ended ran dry), chunks dropped after a flush. */
  playback: { underruns: number; dropped: number };
}

/** What the controller needs from its element. */
export interface ConversationSink {
  fire<K extends keyof HydraVoiceEventMap>(type: K, detail: HydraVoiceEventMap[K]['detail'], cancelable?: boolean): boolean;
  stateChanged(state: HydraVoiceState): void;
  levelsChanged(input: number, output: number): void;
  // Timeline hooks (the element's history): what the public events do not carry.
  /** The first sample of a reply reached the output. */
  replyStarted?(responseId: string): void;
  /** A reply's audio left the player after `ms` of it played (played out, or cut by a barge-in). */
  replyPlayed?(responseId: string, ms: number): void;
  /** The page answered a tool call (a value or a promise), before it goes to the session. */
  toolAnswered?(callId: string, value: unknown): void;
}

interface Running {
  context: AudioContext;
  session: HydraSession;
  mic: MicCapture;
  playback: Playback;
  /** When levels were last published (performance.now()). */
  levelsAt: number;
}

export class ConversationController implements ReactiveController {
  state: HydraVoiceState = 'idle';
  private running: Running | undefined;
  private sessionState: HydraSessionState = 'idle';
  private playing = false;
  private inputLevel = 0;
  private outputLevel = 0;
  private failed = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly sink: ConversationSink,
  ) {
    host.addController(this);
  }

  get active(): boolean {
    return this.running !== undefined;
  }

  /**
   * Starts a conversation. Must be called synchronously from the user's gesture: the
   * AudioContext is created and resumed before anything is awaited (autoplay policies).
   */
  async start(options: ConversationOptions): Promise<void> {
    if (this.running) return;
    this.failed = false;
    let context: AudioContext;
    try {
      context = createAudioContext();
    } catch (e) {
      this.fail({ code: 'audio_failed', message: `Web Audio is not available: ${(e as Error).message}`, fatal: true });
      return;
    }
    const session = new HydraSession({
      tokenEndpoint: options.tokenEndpoint,
      url: options.url,
      model: options.model,
      config: options.config,
      ...(options.toolTimeoutMs === undefined ? {} : { toolTimeoutMs: options.toolTimeoutMs }),
    });
    session.muted = options.muted;
    const mic = new MicCapture(context, {
      workletUrl: options.workletUrl,
      constraints: options.micDeviceId ? { deviceId: { ideal: options.micDeviceId } } : undefined,
    });
    const playback = new Playback(context, { workletUrl: options.workletUrl });
    if (options.volume !== undefined) playback.setVolume(options.volume);
    const running: Running = { context, session, mic, playback, levelsAt: -Infinity };
    this.running = running;
    this.wire(running, options.wireLog);
    if (options.outputDeviceId) this.setOutputDevice(options.outputDeviceId);
    this.setState('connecting');
    try {
      // Mic permission, worklets and the handshake proceed in parallel; the session drops
      // audio until Hydra confirms the configuration.
      await Promise.all([playback.ready(), mic.start(), session.start()]);
    } catch (e) {
      if (this.running === running) this.fail(toErrorDetail(e));
    }
  }

  /** Ends the conversation and releases the mic, the socket and the audio graph. */
  stop(): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.session.stop();
    running.mic.stop();
    running.playback.dispose();
    void running.context.close().catch(() => undefined);
    this.playing = false;
    this.sessionState = 'idle';
    this.inputLevel = this.outputLevel = 0;
    this.sink.levelsChanged(0, 0);
    if (!this.failed) this.setState('idle');
  }

  cancelResponse(): void {
    const running = this.running;
    if (!running) return;
    running.session.cancelResponse();
    running.playback.flush();
    this.playbackStopped();
  }

  setMuted(muted: boolean): void {
    if (this.running) this.running.session.muted = muted;
  }

  // ------------------------------------------------------------ devices and volume

  /** Output volume 0…1 (0: speaker muted). */
  setVolume(volume: number): void {
    this.running?.playback.setVolume(volume);
  }

  /** Switches the microphone mid-conversation (undefined: the system default). */
  setMicDevice(deviceId: string | undefined): void {
    void this.running?.mic.switchDevice(deviceId);
  }

  /** Plays through another output device, where AudioContext.setSinkId exists (Chromium). */
  setOutputDevice(deviceId: string | undefined): void {
    const context = this.running?.context as (AudioContext & { setSinkId?(id: string): Promise<void> }) | undefined;
    context?.setSinkId?.(deviceId ?? '').catch((e: Error) =>
      this.sink.fire('hydra-error', { code: 'audio_failed', message: `Could not play through the chosen speaker: ${e.message}`, fatal: false }),
    );
  }

  updateTools(tools: Tool[]): void {
    this.running?.session.updateTools(tools);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Read-only counters of the running conversation (see HydraVoiceElement.debugStats). */
  debugStats(): HydraVoiceDebugStats | undefined {
    const r = this.running;
    if (!r) return undefined;
    return {
      sessionState: r.session.state,
      droppedAudioChunks: r.session.droppedAudioChunks,
      droppedLateAudioChunks: r.session.droppedLateAudioChunks,
      mic: { ...r.mic.stats },
      playback: { underruns: r.playback.stats.underruns, dropped: r.playback.stats.dropped },
    };
  }

  private wire(running: Running, wireLog: boolean): void {
    const { session, mic, playback } = running;
    const current = () => this.running === running;
    mic.onchunk = (pcm) => session.appendAudio(pcm);
    mic.onlevel = (level) => {
      this.inputLevel = level;
      this.publishLevels(running);
    };
    mic.onproblem = (problem) => {
      if (!current()) return;
      const fatal = problem.kind !== 'silent';
      const code = problem.kind === 'denied' ? 'mic_denied' : problem.kind === 'silent' ? 'mic_silent' : problem.kind === 'worklet-blocked' || problem.kind === 'failed' ? 'audio_failed' : 'mic_unavailable';
      if (fatal) this.fail({ code, message: problem.message, fatal });
      else this.sink.fire('hydra-error', { code, message: problem.message, fatal });
    };
    playback.onlevel = (level) => {
      this.outputLevel = level;
      this.publishLevels(running);
    };
    playback.onidle = () => current() && this.playbackStopped();
    playback.onstarted = (id) => current() && this.sink.replyStarted?.(id);
    playback.onfinished = (id, frames) => current() && this.sink.replyPlayed?.(id, frames / 48);

    const on = <K extends string>(type: K, fn: (detail: any) => void) =>
      session.addEventListener(type, (e) => current() && fn((e as CustomEvent).detail));
    on('state', ({ state }) => {
      this.sessionState = state;
      this.updateState();
    });
    on('session', (d) => this.sink.fire('hydra-session', { sessionId: d.sessionId, session: d.session }));
    on('turn-start', (d) => {
      // The user started talking: anything still playing is stale (barge-in). Cut it now
      // instead of waiting for Hydra's response.done(interrupted).
      if (this.playing) {
        playback.flush();
        this.playbackStopped();
      }
      this.sink.fire('hydra-turn-start', { itemId: d.itemId, audioStartMs: d.audioStartMs });
    });
    on('turn-end', (d) => this.sink.fire('hydra-turn-end', { itemId: d.itemId, audioEndMs: d.audioEndMs }));
    on('response-start', (d) => this.sink.fire('hydra-response-start', { responseId: d.responseId }));
    on('response-end', (d) => this.sink.fire('hydra-response-end', { responseId: d.responseId, status: d.status, reason: d.reason, usage: d.usage }));
    on('audio', (d) => {
      playback.enqueue(d.responseId, d.pcm);
      if (!this.playing) {
        this.playing = true;
        this.updateState();
      }
    });
    on('audio-done', (d) => playback.end(d.responseId));
    on('barge-in', (d) => {
      playback.flush(d.responseId);
      this.playbackStopped();
    });
    on('tool-call', (d) => {
      const respond = (value: unknown) => {
        this.sink.toolAnswered?.(d.callId, value);
        d.respond(value);
      };
      const answered = this.sink.fire('hydra-tool-call', { callId: d.callId, name: d.name, arguments: d.arguments, respond }, true);
      // preventDefault() declines the call: the model hears so at once instead of after the timeout.
      if (!answered) respond(Promise.reject(new Error(`The page declined the ${d.name} tool call.`)));
    });
    on('error', (d) => {
      const detail: HydraErrorDetail = { code: d.code, message: d.message, fatal: Boolean(d.fatal) };
      if (detail.fatal) this.fail(detail);
      else this.sink.fire('hydra-error', detail);
    });
    if (wireLog) on('frame', (d) => this.sink.fire('hydra-frame', { direction: d.direction, frame: d.frame }));
  }

  private playbackStopped(): void {
    if (!this.playing) return;
    this.playing = false;
    this.updateState();
  }

  /** The visible state: the session's, except that audio still playing out reads as speaking. */
  private updateState(): void {
    if (!this.running) return;
    let state: HydraVoiceState = this.sessionState;
    if (this.playing && (state === 'listening' || state === 'thinking')) state = 'speaking';
    this.setState(state);
  }

  private setState(state: HydraVoiceState): void {
    if (state === this.state) return;
    this.state = state;
    this.sink.stateChanged(state);
  }

  private fail(detail: HydraErrorDetail): void {
    this.failed = true;
    this.stop();
    this.setState('error');
    this.sink.fire('hydra-error', detail);
  }

  /**
   * Publishes levels at most every LEVEL_INTERVAL_MS, from the audio callbacks themselves
   * (the mic's 50 chunks a second keep it ticking): no animation-frame loop, which would
   * make the page render a frame 60 times a second for the whole conversation.
   */
  private publishLevels(running: Running): void {
    const now = performance.now();
    if (this.running !== running || now - running.levelsAt < LEVEL_INTERVAL_MS) return;
    running.levelsAt = now;
    this.sink.levelsChanged(this.inputLevel, this.outputLevel);
  }
}

function toErrorDetail(e: unknown): HydraErrorDetail {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const err = e as { code: string; message: string; fatal?: boolean };
    return { code: err.code, message: err.message, fatal: true };
  }
  return { code: 'connection_failed', message: e instanceof Error ? e.message : String(e), fatal: true };
}
