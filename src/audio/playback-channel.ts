// The playback worklet's message protocol, independent of where it runs: commands out
// (chunk/end/flush/duck/sync, chunk buffers transferred) and the worklet's messages in
// (levels, progress, first sample, end of a response, underruns). Playback uses it on the
// node's own port; the audio router (src/worker/router.ts) uses it on a port routed to the
// worker, so reply audio never passes the page's main thread.
import type { PlaybackCommand, PlaybackMessage } from './worklet/playback-core.ts';

/** Counters for diagnostics and tests. */
export interface PlaybackStats {
  underruns: number;
  /** Chunks dropped because their response had been flushed (before and in the worklet). */
  dropped: number;
  /** Context frame at which the last flush's ramp started (from the worklet). */
  lastFlushFrame: number | undefined;
}

export class PlaybackChannel {
  /** Output level (RMS, 0..1), ~20 times a second while playing, 0 when idle. */
  onlevel: (rms: number) => void = () => undefined;
  /** Source frames (48 kHz) played so far for a response; called as it plays and when it leaves the queue. */
  onplayed: (responseId: string, frames: number) => void = () => undefined;
  /** A response left the queue after `frames` (48 kHz) of it played: to its last sample (`flushed` false), or cut off. */
  onfinished: (responseId: string, flushed: boolean, frames: number) => void = () => undefined;
  /** Nothing left to play. */
  onidle: () => void = () => undefined;
  /** First sample of a response reached the output (context frame). */
  onstarted: (responseId: string, frame: number) => void = () => undefined;
  readonly stats: PlaybackStats = { underruns: 0, dropped: 0, lastFlushFrame: undefined };

  readonly #flushed = new Set<string>();
  readonly #live = new Set<string>();
  #syncSeq = 0;
  readonly #syncs = new Map<number, (buffered: number) => void>();

  readonly #send: (cmd: PlaybackCommand, transfer?: Transferable[]) => void;

  constructor(send: (cmd: PlaybackCommand, transfer?: Transferable[]) => void) {
    this.#send = send;
  }

  /**
   * Queues 48 kHz PCM16 of a response. When `pcm` spans its whole buffer, the buffer is
   * transferred to the worklet (no copy) and `pcm` is unusable afterwards.
   */
  enqueue(responseId: string, pcm: Int16Array): void {
    if (pcm.length === 0) return;
    if (this.#flushed.has(responseId)) {
      this.stats.dropped++;
      return;
    }
    this.#live.add(responseId);
    const own = pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength && pcm.buffer instanceof ArrayBuffer;
    const data = own ? pcm : pcm.slice();
    this.#send({ type: 'chunk', id: responseId, pcm: data }, [data.buffer as ArrayBuffer]);
  }

  /** No more audio will come for this response: play out what is queued. */
  end(responseId: string): void {
    this.#send({ type: 'end', id: responseId });
  }

  /**
   * Barge-in: fades out within one render quantum plus the ramp (4 ms) and drops the
   * response's queued audio; its late chunks are dropped too. Without an id: everything.
   */
  flush(responseId?: string): void {
    const ids = responseId === undefined ? [...this.#live] : [responseId];
    for (const id of ids) {
      this.#flushed.add(id);
      this.#live.delete(id);
    }
    this.#send(responseId === undefined ? { type: 'flush' } : { type: 'flush', id: responseId });
  }

  /** True while some response sent here has not left the queue. */
  get playing(): boolean {
    return this.#live.size > 0;
  }

  /** Lowers playback (ducking) while the user speaks; smooth, ~15 ms. */
  duck(on: boolean): void {
    this.#send({ type: 'duck', on });
  }

  /** Resolves once the worklet has handled every earlier command; gives its queued frames. */
  sync(): Promise<number> {
    const seq = ++this.#syncSeq;
    return new Promise((resolve) => {
      this.#syncs.set(seq, resolve);
      this.#send({ type: 'sync', seq });
    });
  }

  /** Handles one message of the worklet. */
  receive(m: PlaybackMessage | { type: 'ready' }): void {
    switch (m.type) {
      case 'status':
        this.stats.underruns = m.underruns;
        this.onlevel(m.level);
        if (m.id !== null) this.onplayed(m.id, m.played);
        break;
      case 'played':
        this.#live.delete(m.id);
        this.onplayed(m.id, m.frames);
        this.onfinished(m.id, m.flushed, m.frames);
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
        this.#syncs.get(m.seq)?.(m.buffered);
        this.#syncs.delete(m.seq);
        break;
    }
  }
}
