// Model audio (48 kHz PCM16) → playback worklet → the context's default output, which is
// where the browser's echo canceller listens (a separate <audio> element or output
// device would hide the reference signal from it).
import { loadWorklets } from './worklet-loader.ts';
import { PLAYBACK_PROCESSOR } from './worklet-source.ts';
import type { PlaybackCommand, PlaybackMessage, PlaybackOptions as CoreOptions } from './playback-core.ts';

/** Options for {@link Playback}. */
export interface PlaybackOptions extends Omit<CoreOptions, 'statusMs'> {
  /** Same-origin URL of dist/hydra-voice-worklets.js (strict CSP). */
  workletUrl?: string | undefined;
  /** Where to connect (default: ctx.destination). */
  destination?: AudioNode;
}

/** Counters for diagnostics and tests. */
export interface PlaybackStats {
  underruns: number;
  /** Chunks dropped because their response had been flushed (main thread + worklet). */
  dropped: number;
  /** Context frame at which the last flush's ramp started (from the worklet). */
  lastFlushFrame: number | undefined;
}

/**
 * Plays 48 kHz PCM16 per response id: gapless, prebuffered, flushable (barge-in).
 */
export class Playback {
  /** Output level (RMS, 0..1), ~20 times a second while playing, 0 when idle. */
  onlevel: (rms: number) => void = () => undefined;
  /** Source frames (48 kHz) played so far for a response; called as it plays and when it leaves the queue. */
  onplayed: (responseId: string, frames: number) => void = () => undefined;
  /** A response left the queue, played out or flushed, after `frames` (48 kHz) of it played. */
  onfinished: (responseId: string, frames: number) => void = () => undefined;
  /** Nothing left to play. */
  onidle: () => void = () => undefined;
  /** First sample of a response reached the output (context frame). */
  onstarted: (responseId: string, frame: number) => void = () => undefined;
  readonly stats: PlaybackStats = { underruns: 0, dropped: 0, lastFlushFrame: undefined };

  private node: AudioWorkletNode | undefined;
  /** Output volume, between the worklet and the destination. */
  private readonly gain: GainNode;
  private pending: [PlaybackCommand, Transferable[]][] = [];
  private readonly flushed = new Set<string>();
  private readonly live = new Set<string>();
  private readonly readyPromise: Promise<void>;
  private disposed = false;
  private syncSeq = 0;
  private readonly syncs = new Map<number, (buffered: number) => void>();

  constructor(
    readonly ctx: BaseAudioContext,
    options: PlaybackOptions = {},
  ) {
    const { workletUrl, destination, ...core } = options;
    this.gain = ctx.createGain();
    this.readyPromise = loadWorklets(ctx, { workletUrl }).then(() => {
      if (this.disposed) return;
      const node = new AudioWorkletNode(ctx, PLAYBACK_PROCESSOR, {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: core satisfies CoreOptions,
      });
      node.port.onmessage = (e: MessageEvent<PlaybackMessage | { type: 'ready' }>) => this.onMessage(e.data);
      // Connected to the output only once the worklet runs (as before the gain existed).
      node.connect(this.gain).connect(destination ?? ctx.destination);
      this.node = node;
      for (const [cmd, transfer] of this.pending) node.port.postMessage(cmd, transfer);
      this.pending = [];
    });
    this.readyPromise.catch(() => undefined);
  }

  /** Resolves when the worklet runs; rejects with a WorkletLoadError when it cannot load. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** The worklet node (for taps and tests); undefined until ready. */
  get workletNode(): AudioWorkletNode | undefined {
    return this.node;
  }

  /**
   * Queues 48 kHz PCM16 of a response. When `pcm` spans its whole buffer, the buffer is
   * transferred to the worklet (no copy) and `pcm` is unusable afterwards.
   */
  enqueue(responseId: string, pcm: Int16Array): void {
    if (this.disposed || pcm.length === 0) return;
    if (this.flushed.has(responseId)) {
      this.stats.dropped++;
      return;
    }
    this.live.add(responseId);
    const own = pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength && pcm.buffer instanceof ArrayBuffer;
    const data = own ? pcm : pcm.slice();
    this.send({ type: 'chunk', id: responseId, pcm: data }, [data.buffer as ArrayBuffer]);
  }

  /** No more audio will come for this response (audio-done): play out what is queued. */
  end(responseId: string): void {
    this.send({ type: 'end', id: responseId });
  }

  /**
   * Barge-in: fades out within one render quantum plus the ramp (4 ms) and drops the
   * response's queued audio; its late chunks are dropped too. Without an id: everything.
   */
  flush(responseId?: string): void {
    const ids = responseId === undefined ? [...this.live] : [responseId];
    for (const id of ids) {
      this.flushed.add(id);
      this.live.delete(id);
    }
    this.send(responseId === undefined ? { type: 'flush' } : { type: 'flush', id: responseId });
  }

  /** Lowers playback (ducking) while the user speaks; smooth, ~15 ms. */
  duck(on: boolean): void {
    this.send({ type: 'duck', on });
  }

  /** Output volume, 0…1 (0 mutes the speaker); changes glide over ~20 ms, without clicks. */
  setVolume(volume: number): void {
    const v = Math.min(1, Math.max(0, Number.isFinite(volume) ? volume : 1));
    this.gain.gain.setTargetAtTime(v, this.ctx.currentTime, 0.005);
  }

  /** Resolves once the worklet has handled every earlier command; gives its queued frames. */
  sync(): Promise<number> {
    const seq = ++this.syncSeq;
    return new Promise((resolve) => {
      this.syncs.set(seq, resolve);
      this.send({ type: 'sync', seq });
    });
  }

  /** Stops the worklet and disconnects it. */
  dispose(): void {
    this.disposed = true;
    this.pending = [];
    if (this.node) {
      this.node.port.postMessage({ type: 'stop' });
      this.node.port.onmessage = null;
      this.node.disconnect();
      this.node = undefined;
    }
    this.gain.disconnect();
  }

  private send(cmd: PlaybackCommand, transfer: Transferable[] = []): void {
    if (this.disposed) return;
    if (this.node) this.node.port.postMessage(cmd, transfer);
    else this.pending.push([cmd, transfer]);
  }

  private onMessage(m: PlaybackMessage | { type: 'ready' }): void {
    if (this.disposed) return;
    switch (m.type) {
      case 'status':
        this.stats.underruns = m.underruns;
        this.onlevel(m.level);
        if (m.id !== null) this.onplayed(m.id, m.played);
        break;
      case 'played':
        this.live.delete(m.id);
        this.onplayed(m.id, m.frames);
        this.onfinished(m.id, m.frames);
        break;
      case 'started':
        this.onstarted(m.id, m.frame);
        break;
      case 'flushed':
        this.stats.lastFlushFrame = m.frame;
        break;
      case 'idle':
        this.onlevel(0);
        this.onidle();
        break;
      case 'synced':
        this.stats.dropped = Math.max(this.stats.dropped, m.dropped);
        this.syncs.get(m.seq)?.(m.buffered);
        this.syncs.delete(m.seq);
        break;
    }
  }
}
