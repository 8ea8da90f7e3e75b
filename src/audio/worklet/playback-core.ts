// The playback worklet's logic, as a plain class (tested directly on the main thread too).
//
// A growable ring buffer of 48 kHz samples, cut into segments by response id. Each
// response waits for a small prebuffer, then plays gaplessly across its chunks (and into
// the next response when that one is already buffered). An underrun outputs zeros and
// waits for the prebuffer again. `flush` fades the audible response out over a short
// raised-cosine ramp starting with the next render quantum, drops the rest, and remembers
// the id so its late chunks are discarded. When the context does not run at 48 kHz the
// stream goes through the resampler.
//
// Runs inside the AudioWorkletGlobalScope via Function.prototype.toString(): keep it
// self-contained (no imports, no module-level names, no static members or field
// initializers). The resampler class is passed in.

import type { Resampler } from './resampler.ts';
import type { Post, ResamplerClass } from './capture-core.ts';
import type { EchoReport } from './echo-guard.ts';

/** Options the playback processor receives (processorOptions). */
export interface PlaybackOptions {
  /** Rate of the PCM16 that is enqueued (default 48000). */
  inRate?: number;
  /** Audio buffered before a response (or a response after an underrun) starts (default 50 ms). */
  prebufferMs?: number;
  /** Fade-out length on flush (default 4 ms). */
  rampMs?: number;
  /** Gain while ducked (default 0.35). */
  duckGain?: number;
  /** Interval of `status` messages while playing (default 50 ms). */
  statusMs?: number;
}

/** Commands the playback processor accepts on its port. */
export type PlaybackCommand =
  | { type: 'chunk'; id: string; pcm: Int16Array }
  | { type: 'end'; id: string }
  | { type: 'flush'; id?: string }
  | { type: 'duck'; on: boolean }
  | { type: 'sync'; seq: number };

/** Messages the playback processor posts. */
export type PlaybackMessage =
  | { type: 'status'; level: number; id: string | null; played: number; underruns: number }
  /** A response left the queue: played out (`flushed` false) or flushed. `frames` at the input rate. */
  | { type: 'played'; id: string; frames: number; flushed: boolean }
  /** First sample of a response reached the output at context frame `frame`. */
  | { type: 'started'; id: string; frame: number }
  /** A flush took effect: its ramp starts at context frame `frame` and lasts `ramp` frames. */
  | { type: 'flushed'; ids: string[]; frame: number; ramp: number }
  | { type: 'underrun'; id: string; frame: number }
  | { type: 'idle' }
  | { type: 'synced'; seq: number; buffered: number; dropped: number }
  /** The echo guard changed its verdict (posted by the processor, see echo-guard.ts). */
  | { type: 'echo'; report: EchoReport };

interface Segment {
  id: string;
  /** Absolute ring index one past this segment's last sample. */
  end: number;
  ended: boolean;
  dropped: boolean;
  started: boolean;
  announced: boolean;
  played: number;
}

/** Playback processing, independent of AudioWorkletProcessor. */
export class PlaybackCore {
  declare readonly outRate: number;
  declare readonly inRate: number;
  /** Flush ramp length in output frames. */
  declare readonly rampFrames: number;
  declare private readonly prebuffer: number;
  declare private readonly duckGain: number;
  declare private readonly statusFrames: number;
  declare private readonly post: Post;
  declare private readonly resampler: Resampler | null;
  declare private rsIdle: boolean;
  declare private tail: number;
  declare private ring: Float32Array;
  declare private w: number;
  declare private r: number;
  declare private segs: Segment[];
  declare private flushedIds: string[];
  declare private pendingFlush: string[] | null;
  declare private fadeSeg: Segment | null;
  declare private fadeLeft: number;
  declare private fadePlayedCap: number;
  declare private gain: number;
  declare private gainTarget: number;
  declare private readonly gainStep: number;
  declare private scratch: Float32Array;
  declare private sumSq: number;
  declare private statusCount: number;
  declare private underruns: number;
  declare private dropped: number;
  declare private active: boolean;
  declare private quantumStart: number;

  constructor(outRate: number, options: PlaybackOptions | undefined, ResamplerCtor: ResamplerClass, post: Post) {
    const o = options || {};
    this.outRate = outRate;
    this.inRate = o.inRate || 48000;
    this.prebuffer = Math.round(((o.prebufferMs === undefined ? 50 : o.prebufferMs) * this.inRate) / 1000);
    this.rampFrames = Math.max(1, Math.round(((o.rampMs === undefined ? 4 : o.rampMs) * outRate) / 1000));
    this.duckGain = o.duckGain === undefined ? 0.35 : o.duckGain;
    this.statusFrames = Math.round(((o.statusMs || 50) * outRate) / 1000);
    this.post = post;
    this.resampler = outRate === this.inRate ? null : new ResamplerCtor(this.inRate, outRate);
    this.rsIdle = true;
    this.tail = 0;
    this.ring = new Float32Array(1 << 16);
    this.w = 0;
    this.r = 0;
    this.segs = [];
    this.flushedIds = [];
    this.pendingFlush = null;
    this.fadeSeg = null;
    this.fadeLeft = 0;
    this.fadePlayedCap = 0;
    this.gain = 1;
    this.gainTarget = 1;
    // One-pole smoothing with a ~15 ms time constant: ducking without zipper noise.
    this.gainStep = 1 - Math.exp(-1 / (0.015 * outRate));
    this.scratch = new Float32Array(1024);
    this.sumSq = 0;
    this.statusCount = 0;
    this.underruns = 0;
    this.dropped = 0;
    this.active = false;
    this.quantumStart = 0;
  }

  /** Source samples queued (all segments, including ones waiting for their prebuffer). */
  get buffered(): number {
    return this.w - this.r;
  }

  /** Handles one command from the main thread. */
  command(msg: PlaybackCommand): void {
    switch (msg.type) {
      case 'chunk':
        this.enqueue(msg.id, msg.pcm);
        break;
      case 'end':
        for (const s of this.segs) if (s.id === msg.id) s.ended = true;
        break;
      case 'flush':
        this.flush(msg.id);
        break;
      case 'duck':
        this.gainTarget = msg.on ? this.duckGain : 1;
        break;
      case 'sync':
        this.post({ type: 'synced', seq: msg.seq, buffered: this.w - this.r, dropped: this.dropped });
        break;
    }
  }

  private enqueue(id: string, pcm: Int16Array): void {
    if (this.flushedIds.indexOf(id) >= 0) {
      this.dropped++;
      return;
    }
    const n = pcm.length;
    if (n === 0) return;
    let cap = this.ring.length;
    if (this.w - this.r + n > cap) {
      while (this.w - this.r + n > cap) cap *= 2;
      const next = new Float32Array(cap);
      const old = this.ring;
      for (let x = this.r; x < this.w; x++) next[x % cap] = old[x % old.length]!;
      this.ring = next;
    }
    const ring = this.ring;
    let at = this.w % cap;
    for (let i = 0; i < n; i++) {
      ring[at] = pcm[i]! / 32768;
      if (++at === cap) at = 0;
    }
    this.w += n;
    const last = this.segs[this.segs.length - 1];
    if (last && last.id === id && !last.ended && !last.dropped && last !== this.fadeSeg) last.end = this.w;
    else this.segs.push({ id, end: this.w, ended: false, dropped: false, started: false, announced: false, played: 0 });
  }

  private flush(id: string | undefined): void {
    const ids: string[] = [];
    for (const s of this.segs) if ((id === undefined || s.id === id) && ids.indexOf(s.id) < 0) ids.push(s.id);
    if (id !== undefined && ids.indexOf(id) < 0) ids.push(id);
    for (const x of ids) if (this.flushedIds.indexOf(x) < 0) this.flushedIds.push(x);
    // Remember enough ids for any late chunk; a session has few responses in flight.
    if (this.flushedIds.length > 256) this.flushedIds.splice(0, this.flushedIds.length - 256);
    const head = this.segs[0];
    for (const s of this.segs) {
      if (ids.indexOf(s.id) < 0 || s === this.fadeSeg) continue;
      if (s === head && s.started && s.played > 0 && this.fadeSeg === null) {
        // Audible now: fade it out instead of cutting (a cut is a click).
        this.fadeSeg = s;
        this.fadeLeft = this.rampFrames;
        this.fadePlayedCap = s.played + Math.ceil((this.rampFrames * this.inRate) / this.outRate);
      } else s.dropped = true;
    }
    this.pendingFlush = ids;
  }

  /** Renders one quantum into `out` (mono). `frame` is the context frame of out[0]. */
  process(out: Float32Array, frame: number): void {
    const n = out.length;
    this.quantumStart = frame;
    if (this.pendingFlush) {
      this.post({ type: 'flushed', ids: this.pendingFlush, frame, ramp: this.rampFrames });
      this.pendingFlush = null;
    }
    const rs = this.resampler;
    if (rs === null) this.read(out, 0, n);
    else if (this.rsIdle && !this.playable()) out.fill(0);
    else {
      const need = rs.needed(n);
      if (this.scratch.length < need) this.scratch = new Float32Array(need * 2);
      const real = this.read(this.scratch, 0, need);
      rs.push(this.scratch, 0, need);
      rs.pull(out, 0, n);
      this.rsIdle = false;
      // Once nothing but zeros went in for a whole filter length, the filter is drained.
      this.tail = real > 0 ? 0 : this.tail + need;
      if (this.tail > rs.taps + n && !this.playable()) {
        rs.reset();
        this.rsIdle = true;
      }
    }
    this.applyGains(out);
    if (this.fadeSeg !== null && this.fadeLeft === 0) this.finishFade();
    this.report(n);
  }

  /** True when some segment could produce sound now or after its prebuffer. */
  private playable(): boolean {
    for (const s of this.segs) if (!s.dropped) return true;
    return false;
  }

  /** Fills dst[off, off+count) from the ring (zeros where there is nothing to play); returns real samples. */
  private read(dst: Float32Array, off: number, count: number): number {
    const end = off + count;
    let i = off;
    let real = 0;
    while (i < end) {
      const seg = this.segs[0];
      if (!seg) break;
      if (seg.dropped) {
        this.r = seg.end;
        this.segs.shift();
        this.post({ type: 'played', id: seg.id, frames: seg.played, flushed: true });
        continue;
      }
      const avail = seg.end - this.r;
      if (!seg.started) {
        if (avail > 0 && (avail >= this.prebuffer || seg.ended)) {
          seg.started = true;
          if (!seg.announced) {
            seg.announced = true;
            this.post({ type: 'started', id: seg.id, frame: this.quantumStart + Math.round(((i - off) * this.outRate) / this.inRate) });
          }
        } else if (avail <= 0 && seg.ended) {
          // Nothing left: it ran dry before its end arrived (an underrun; `played` counts
          // what it played), or it never had audio.
          this.segs.shift();
          this.post({ type: 'played', id: seg.id, frames: seg.played, flushed: false });
          continue;
        } else break;
      }
      if (avail <= 0) {
        // A fading segment that ran out is finished by finishFade().
        if (seg === this.fadeSeg) break;
        if (seg.ended) {
          this.segs.shift();
          this.post({ type: 'played', id: seg.id, frames: seg.played, flushed: false });
          continue;
        }
        seg.started = false;
        this.underruns++;
        this.post({ type: 'underrun', id: seg.id, frame: this.quantumStart });
        break;
      }
      const take = Math.min(avail, end - i);
      const ring = this.ring;
      const cap = ring.length;
      let at = this.r % cap;
      for (let k = 0; k < take; k++) {
        dst[i + k] = ring[at]!;
        if (++at === cap) at = 0;
      }
      this.r += take;
      seg.played += take;
      i += take;
      real += take;
      this.active = true;
      // During a fade, never run on into the next response.
      if (seg === this.fadeSeg) break;
    }
    if (i < end) dst.fill(0, i, end);
    return real;
  }

  private applyGains(out: Float32Array): void {
    const step = this.gainStep;
    const target = this.gainTarget;
    let g = this.gain;
    let fadeLeft = this.fadeLeft;
    const fading = this.fadeSeg !== null;
    const ramp = this.rampFrames;
    let sum = 0;
    for (let i = 0; i < out.length; i++) {
      g += (target - g) * step;
      let v = out[i]! * g;
      if (fading) {
        // Raised-cosine from 1 to 0 over `ramp` frames, then silence.
        v = fadeLeft > 0 ? v * (0.5 - 0.5 * Math.cos((Math.PI * fadeLeft) / (ramp + 1))) : 0;
        if (fadeLeft > 0) fadeLeft--;
      }
      out[i] = v;
      sum += v * v;
    }
    this.gain = g;
    this.fadeLeft = fadeLeft;
    this.sumSq += sum;
  }

  private finishFade(): void {
    const seg = this.fadeSeg!;
    this.fadeSeg = null;
    const at = this.segs.indexOf(seg);
    if (at >= 0) {
      this.segs.splice(at, 1);
      if (at === 0) this.r = seg.end;
    }
    seg.played = Math.min(seg.played, this.fadePlayedCap);
    this.post({ type: 'played', id: seg.id, frames: seg.played, flushed: true });
    // The filter still holds the faded response: forget it.
    if (this.resampler !== null) {
      this.resampler.reset();
      this.rsIdle = true;
      this.tail = 0;
    }
  }

  private report(n: number): void {
    if (!this.active) return;
    this.statusCount += n;
    const busy = this.segs.length > 0 || this.fadeSeg !== null;
    if (this.statusCount >= this.statusFrames || !busy) {
      const head = this.segs[0];
      this.post({
        type: 'status',
        level: busy ? Math.sqrt(this.sumSq / this.statusCount) : 0,
        id: head ? head.id : null,
        played: head ? head.played : 0,
        underruns: this.underruns,
      });
      this.statusCount = 0;
      this.sumSq = 0;
    }
    if (!busy) {
      this.active = false;
      this.post({ type: 'idle' });
    }
  }
}
