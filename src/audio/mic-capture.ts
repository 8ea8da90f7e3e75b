// Microphone → capture worklet → 16 kHz PCM16 chunks of 20 ms.
import { HydraError } from '../protocol/errors.ts';
import type { HydraClientErrorCode } from '../protocol/errors.ts';
import { CaptureChannel } from './capture-channel.ts';
import { loadWorklets, WorkletLoadError } from './worklet-loader.ts';
import { CAPTURE_PROCESSOR } from './worklet-source.ts';
import type { CaptureMessage, CaptureOptions } from './worklet/capture-core.ts';

/** A problem with the microphone, for the user. */
export interface MicProblem {
  kind: 'denied' | 'no-device' | 'silent' | 'ended' | 'worklet-blocked' | 'failed';
  message: string;
}

/** The error code of each kind of microphone problem. */
export const MIC_ERROR_CODES: Record<MicProblem['kind'], HydraClientErrorCode> = {
  denied: 'mic_denied',
  'no-device': 'mic_unavailable',
  ended: 'mic_unavailable',
  silent: 'mic_silent',
  'worklet-blocked': 'audio_failed',
  failed: 'audio_failed',
};

/** Error thrown by {@link MicCapture.start}; also reported through `onproblem`. Its `code` is the `hydra-error` code. */
export class MicError extends HydraError {
  override readonly name = 'MicError';
  constructor(
    readonly kind: MicProblem['kind'],
    message: string,
  ) {
    super(MIC_ERROR_CODES[kind], message, { fatal: kind !== 'silent' });
  }
}

/** Options for {@link MicCapture}. */
export interface MicCaptureOptions {
  /** Same-origin URL of dist/hydra-voice-worklets.js (strict CSP). */
  workletUrl?: string | undefined;
  /** Extra getUserMedia audio constraints (e.g. deviceId); merged over the defaults. */
  constraints?: MediaTrackConstraints | undefined;
  /** Exact-zero input for this long reports `silent` (default 6000 ms). */
  silentAfterMs?: number;
  /** Source to capture instead of a microphone (tests, benchmarks). No getUserMedia. */
  source?: AudioNode;
  /**
   * Gate the mic while it hears only our own playback (echo-guard.ts). Default true; off
   * only for measurements of the raw capture.
   */
  echoGuard?: boolean;
  /**
   * Route the chunks elsewhere: called for every capture worklet MicCapture connects (at
   * start and after a device rebuild), it returns the port the worklet posts its chunks to
   * (transferred to the worklet; e.g. one end of a MessageChannel whose other end is in the
   * worker). `onchunk`, `onlevel` and the chunk stats then stay silent here.
   */
  route?: (() => MessagePort) | undefined;
}

/** Stats for diagnostics and tests. */
export interface MicStats {
  chunks: number;
  /** Chunks missing from the sequence (never expected: a gap means lost audio). */
  lost: number;
  /** Graph rebuilds after a device change. */
  rebuilds: number;
}

const DEFAULT_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  channelCount: 1,
};

/**
 * Captures the microphone as 16 kHz mono PCM16 in 320-sample (20 ms) chunks.
 * `start()` asks for the mic and loads the worklet in parallel.
 */
export class MicCapture {
  /** Each 20 ms chunk, in order. The array is the caller's (its buffer was transferred). */
  onchunk: (pcm: Int16Array) => void = () => undefined;
  /** Input level (RMS, 0..1) with every chunk (50/s). */
  onlevel: (rms: number) => void = () => undefined;
  /** Problems: denied, no device, silent (zeros only), ended (device gone), worklet blocked, failed. */
  onproblem: (problem: MicProblem) => void = () => undefined;
  /** Counters. */
  readonly stats: MicStats = { chunks: 0, lost: 0, rebuilds: 0 };

  readonly #channel = new CaptureChannel();
  #stream: MediaStream | undefined;
  #sourceNode: AudioNode | undefined;
  #node: AudioWorkletNode | undefined;
  #stopped = false;
  #started = false;
  #deviceId: string | undefined;
  #rebuilding: Promise<void> | undefined;
  /** start() while it runs: a device switch or a lost track waits for it (see #rebuild). */
  #starting: Promise<void> | undefined;
  readonly #onDeviceChange = () => void this.#checkDevice();

  readonly #options: MicCaptureOptions;

  constructor(
    readonly ctx: AudioContext,
    options: MicCaptureOptions = {},
  ) {
    this.#options = { ...options };
    this.#channel.onchunk = (pcm, level) => {
      this.stats.chunks = this.#channel.stats.chunks;
      this.stats.lost = this.#channel.stats.lost;
      this.onchunk(pcm);
      this.onlevel(level);
    };
    this.#channel.onsilent = (ms) =>
      this.onproblem({
        kind: 'silent',
        message: `The microphone delivered only exact zeros for ${Math.round(ms / 1000)} s: muted in the system or by a switch, or held by another app.`,
      });
  }

  /** The microphone track in use (undefined before start() or with a `source` option). */
  get track(): MediaStreamTrack | undefined {
    return this.#stream?.getAudioTracks()[0];
  }

  /** The worklet node (for taps and tests); undefined before start(). */
  get workletNode(): AudioWorkletNode | undefined {
    return this.#node;
  }

  /** Asks for the mic, loads the worklet, starts chunks. Rejects with {@link MicError}. */
  start(): Promise<void> {
    if (this.#started) return this.#starting ?? Promise.resolve();
    this.#started = true;
    this.#stopped = false;
    const starting = this.#start();
    this.#starting = starting;
    const done = () => void (this.#starting === starting && (this.#starting = undefined));
    starting.then(done, done);
    return starting;
  }

  async #start(): Promise<void> {
    const worklet = loadWorklets(this.ctx, { workletUrl: this.#options.workletUrl });
    worklet.catch(() => undefined);
    try {
      const source = this.#options.source ?? (await this.#openMic());
      await worklet.catch((e: unknown) => {
        throw e instanceof WorkletLoadError ? new MicError('worklet-blocked', e.message) : e;
      });
      if (this.#stopped) return this.#release();
      this.#connect(source);
      if (!this.#options.source) navigator.mediaDevices.addEventListener?.('devicechange', this.#onDeviceChange);
    } catch (e) {
      const err = e instanceof MicError ? e : new MicError('failed', `Audio capture failed: ${(e as Error)?.message ?? e}`);
      this.#release();
      this.#started = false;
      if (!this.#stopped) this.onproblem({ kind: err.kind, message: err.message });
      throw err;
    }
  }

  /**
   * Switches to another microphone (`undefined`: the system default) without stopping the
   * chunks. The device is a preference: when it disappears, capture falls back to the default.
   */
  switchDevice(deviceId: string | undefined): Promise<void> {
    const constraints: MediaTrackConstraints = { ...this.#options.constraints };
    const previous = (constraints.deviceId as ConstrainDOMStringParameters | undefined)?.ideal;
    delete constraints.deviceId;
    if (deviceId) constraints.deviceId = { ideal: deviceId };
    this.#options.constraints = constraints;
    if (!this.#started || this.#stopped || this.#options.source || (deviceId || undefined) === (previous || undefined)) return Promise.resolve();
    return this.#rebuild('changed');
  }

  /** Stops capture and releases the microphone. */
  stop(): void {
    this.#stopped = true;
    this.#started = false;
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
    this.#release();
  }

  async #openMic(): Promise<MediaStreamAudioSourceNode> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new MicError('failed', 'Microphone access needs a secure page (https:// or localhost).');
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { ...DEFAULT_CONSTRAINTS, ...this.#options.constraints } });
    } catch (e) {
      throw micErrorFrom(e);
    }
    if (this.#stopped) {
      for (const t of stream.getTracks()) t.stop();
      throw new MicError('failed', 'stopped');
    }
    this.#stream = stream;
    const track = stream.getAudioTracks()[0];
    if (!track) throw new MicError('no-device', 'The browser returned no microphone track.');
    this.#deviceId = track.getSettings().deviceId;
    track.addEventListener('ended', () => void this.#trackEnded());
    return this.ctx.createMediaStreamSource(stream);
  }

  #connect(source: AudioNode): void {
    // One input (the default), downmixed to mono ('speakers' interpretation, the default).
    const node = new AudioWorkletNode(this.ctx, CAPTURE_PROCESSOR, {
      numberOfOutputs: 0,
      channelCount: 1,
      channelCountMode: 'explicit',
      processorOptions: {
        silentAfterMs: this.#options.silentAfterMs,
        echoGuard: this.#options.echoGuard,
        routed: this.#options.route !== undefined,
      } satisfies CaptureOptions & { routed: boolean },
    });
    node.port.onmessage = (e: MessageEvent<CaptureMessage>) => {
      if (!this.#stopped) this.#channel.receive(e.data);
    };
    if (this.#options.route) {
      const port = this.#options.route();
      node.port.postMessage({ type: 'route', port }, [port]);
    }
    node.onprocessorerror = () => this.onproblem({ kind: 'failed', message: 'The capture worklet crashed.' });
    source.connect(node);
    this.#sourceNode = source;
    this.#node = node;
    this.#channel.restart();
  }

  #release(): void {
    if (this.#node) {
      this.#node.port.postMessage({ type: 'stop' });
      this.#node.port.onmessage = null;
      this.#node.disconnect();
    }
    this.#sourceNode?.disconnect();
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#node = undefined;
    this.#sourceNode = undefined;
    this.#stream = undefined;
  }

  /** The track ended (device unplugged, permission revoked): try the default device once. */
  async #trackEnded(): Promise<void> {
    if (this.#stopped) return;
    await this.#rebuild('ended');
  }

  /** Devices changed: rebuild when our device is gone or its settings (rate) changed. */
  async #checkDevice(): Promise<void> {
    if (this.#stopped || !this.#stream) return;
    const track = this.#stream.getAudioTracks()[0];
    const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    const present = devices.some((d) => d.kind === 'audioinput' && (!this.#deviceId || d.deviceId === this.#deviceId || d.deviceId === ''));
    if (!track || track.readyState === 'ended' || !present) await this.#rebuild('changed');
  }

  #rebuild(why: 'ended' | 'changed'): Promise<void> {
    this.#rebuilding ??= (async () => {
      // The permission prompt can be answered (and a device chosen) while the worklet is
      // still loading: rebuilding then would create the node before its processor exists
      // (Firefox under load: "Unknown AudioWorklet name"). Let start() finish first.
      await this.#starting?.catch(() => undefined);
      if (this.#stopped || !this.#node) return;
      this.#release();
      try {
        const source = await this.#openMic();
        if (this.#stopped) return this.#release();
        this.#connect(source);
        this.stats.rebuilds++;
      } catch (e) {
        if (this.#stopped) return;
        const gone = e instanceof MicError && (e.kind === 'no-device' || e.kind === 'failed');
        this.onproblem(
          gone || why === 'ended'
            ? { kind: 'ended', message: 'The microphone was disconnected or stopped working.' }
            : { kind: (e as MicError).kind ?? 'failed', message: (e as Error).message },
        );
      } finally {
        this.#rebuilding = undefined;
      }
    })();
    return this.#rebuilding;
  }
}

/** Maps a getUserMedia rejection to a problem the user can act on. */
export function micErrorFrom(e: unknown): MicError {
  const name = (e as DOMException)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      // The visitor's how-to is the element's translated `helpMicDenied`; this is for developers.
      return new MicError('denied', `Microphone permission denied (${name}) by the user, the site or OS settings, or a Permissions-Policy.`);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new MicError('no-device', 'No microphone was found.');
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new MicError('failed', 'The microphone could not be opened (another app may hold it).');
    default:
      return new MicError('failed', `The microphone could not be opened (${name ?? 'error'}: ${(e as Error)?.message ?? e}).`);
  }
}
