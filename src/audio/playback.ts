// Model audio (48 kHz PCM16) → playback worklet → the context's default output, which is
// where the browser's echo canceller listens (a separate <audio> element or output
// device would hide the reference signal from it).
import { loadWorklets } from './worklet-loader.ts';
import { PLAYBACK_PROCESSOR } from './worklet-source.ts';
import { PlaybackChannel } from './playback-channel.ts';
import type { PlaybackStats } from './playback-channel.ts';
import type { PlaybackCommand, PlaybackMessage, PlaybackOptions as CoreOptions } from './playback-core.ts';

/** Options for {@link Playback}. */
export interface PlaybackOptions extends Omit<CoreOptions, 'statusMs'> {
  /** Same-origin URL of dist/hydra-voice-worklets.js (strict CSP). */
  workletUrl?: string | undefined;
  /** Where to connect (default: ctx.destination). */
  destination?: AudioNode;
  /**
   * Route the worklet to this port (transferred to it): it takes commands from the port and
   * posts every message there, so whoever holds the other end (the worker) drives playback.
   * Playback's own callbacks then stay silent.
   */
  route?: MessagePort | undefined;
}

export type { PlaybackStats };

/**
 * Plays 48 kHz PCM16 per response id: gapless, prebuffered, flushable (barge-in).
 */
export class Playback {
  /** Output level (RMS, 0..1), ~20 times a second while playing, 0 when idle. */
  onlevel: (rms: number) => void = () => undefined;
  /** Source frames (48 kHz) played so far for a response; called as it plays and when it leaves the queue. */
  onplayed: (responseId: string, frames: number) => void = () => undefined;
  /** Nothing left to play. */
  onidle: () => void = () => undefined;
  /** First sample of a response reached the output (context frame). */
  onstarted: (responseId: string, frame: number) => void = () => undefined;

  #node: AudioWorkletNode | undefined;
  /** Output volume, between the worklet and the destination. */
  readonly #gain: GainNode;
  #pending: [PlaybackCommand, Transferable[]][] = [];
  readonly #channel = new PlaybackChannel((cmd, transfer) => this.#send(cmd, transfer));
  readonly #readyPromise: Promise<void>;
  #disposed = false;

  constructor(
    readonly ctx: BaseAudioContext,
    options: PlaybackOptions = {},
  ) {
    const { workletUrl, destination, route, ...core } = options;
    this.#gain = ctx.createGain();
    this.#channel.onlevel = (rms) => this.onlevel(rms);
    this.#channel.onplayed = (id, frames) => this.onplayed(id, frames);
    this.#channel.onidle = () => this.onidle();
    this.#channel.onstarted = (id, frame) => this.onstarted(id, frame);
    this.#readyPromise = loadWorklets(ctx, { workletUrl }).then(() => {
      if (this.#disposed) return;
      const node = new AudioWorkletNode(ctx, PLAYBACK_PROCESSOR, {
        numberOfInputs: 0,
        outputChannelCount: [1],
        processorOptions: core satisfies CoreOptions,
      });
      node.port.onmessage = (e: MessageEvent<PlaybackMessage | { type: 'ready' }>) => {
        if (!this.#disposed) this.#channel.receive(e.data);
      };
      if (route) node.port.postMessage({ type: 'route', port: route }, [route]);
      // Connected to the output only once the worklet runs (as before the gain existed).
      node.connect(this.#gain).connect(destination ?? ctx.destination);
      this.#node = node;
      for (const [cmd, transfer] of this.#pending) node.port.postMessage(cmd, transfer);
      this.#pending = [];
    });
    this.#readyPromise.catch(() => undefined);
  }

  /** Counters for diagnostics and tests. */
  get stats(): PlaybackStats {
    return this.#channel.stats;
  }

  /** Resolves when the worklet runs; rejects with a WorkletLoadError when it cannot load. */
  ready(): Promise<void> {
    return this.#readyPromise;
  }

  /** The worklet node (for taps and tests); undefined until ready. */
  get workletNode(): AudioWorkletNode | undefined {
    return this.#node;
  }

  /**
   * Queues 48 kHz PCM16 of a response. When `pcm` spans its whole buffer, the buffer is
   * transferred to the worklet (no copy) and `pcm` is unusable afterwards.
   */
  enqueue(responseId: string, pcm: Int16Array): void {
    if (!this.#disposed) this.#channel.enqueue(responseId, pcm);
  }

  /** No more audio will come for this response (audio-done): play out what is queued. */
  end(responseId: string): void {
    this.#channel.end(responseId);
  }

  /**
   * Barge-in: fades out within one render quantum plus the ramp (4 ms) and drops the
   * response's queued audio; its late chunks are dropped too. Without an id: everything.
   */
  flush(responseId?: string): void {
    this.#channel.flush(responseId);
  }

  /** Lowers playback (ducking) while the user speaks; smooth, ~15 ms. */
  duck(on: boolean): void {
    this.#channel.duck(on);
  }

  /** Output volume, 0…1 (0 mutes the speaker); changes glide over ~20 ms, without clicks. */
  setVolume(volume: number): void {
    const v = Math.min(1, Math.max(0, Number.isFinite(volume) ? volume : 1));
    this.#gain.gain.setTargetAtTime(v, this.ctx.currentTime, 0.005);
  }

  /** Resolves once the worklet has handled every earlier command; gives its queued frames. */
  sync(): Promise<number> {
    return this.#channel.sync();
  }

  /** Stops the worklet and disconnects it. */
  dispose(): void {
    this.#disposed = true;
    this.#pending = [];
    if (this.#node) {
      this.#node.port.postMessage({ type: 'stop' });
      this.#node.port.onmessage = null;
      this.#node.disconnect();
      this.#node = undefined;
    }
    this.#gain.disconnect();
  }

  #send(cmd: PlaybackCommand, transfer: Transferable[] = []): void {
    if (this.#disposed) return;
    if (this.#node) this.#node.port.postMessage(cmd, transfer);
    else this.#pending.push([cmd, transfer]);
  }
}
