// Turn detection on the incoming 16 kHz PCM16: WebRTC's VAD (libfvad as WASM) classifies
// each frame, and a small state machine turns frame decisions into user turns.
//
// The clock is the audio itself: every offset is a sample count / 16, never wall time, so a
// client that streams faster than real time gets the same offsets as one at real pace.
import type { ResolvedVad } from './options.ts';

/** The part of @echogarden/fvad-wasm's emscripten module we use (the package ships no types). */
export interface FvadModule {
  _fvad_new(): number;
  _fvad_free(handle: number): void;
  _fvad_set_mode(handle: number, mode: number): number;
  _fvad_set_sample_rate(handle: number, rate: number): number;
  /** 1 voiced, 0 not, -1 bad frame length. */
  _fvad_process(handle: number, samplesPtr: number, length: number): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAP16: Int16Array;
}

// A string specifier keeps the import untyped (no ambient declaration to ship).
const FVAD_PACKAGE: string = '@echogarden/fvad-wasm';

export const INPUT_RATE = 16_000;
const SAMPLES_PER_MS = INPUT_RATE / 1000;
const MAX_FRAME = 30 * SAMPLES_PER_MS;

let modulePromise: Promise<FvadModule> | undefined;

/** Loads libfvad once per process (the WASM heap is shared by every session). */
export function loadFvad(): Promise<FvadModule> {
  modulePromise ??= import(FVAD_PACKAGE).then((m: { default: () => Promise<FvadModule> }) => m.default());
  return modulePromise;
}

/** One libfvad instance: voiced/unvoiced per 10/20/30 ms frame. Call free() when done. */
export class FrameVad {
  private handle: number;
  private ptr: number;

  constructor(
    private readonly fvad: FvadModule,
    mode: number,
  ) {
    this.handle = fvad._fvad_new();
    if (!this.handle) throw new Error('fvad_new failed');
    if (fvad._fvad_set_mode(this.handle, mode) !== 0) throw new RangeError(`bad fvad mode ${mode}`);
    if (fvad._fvad_set_sample_rate(this.handle, INPUT_RATE) !== 0) throw new Error('fvad rejected 16 kHz');
    this.ptr = fvad._malloc(MAX_FRAME * 2);
  }

  isVoiced(frame: Int16Array): boolean {
    if (!this.handle) throw new Error('FrameVad used after free()');
    // HEAP16 is re-read each time: the heap view is replaced if WASM memory grows.
    this.fvad.HEAP16.set(frame, this.ptr >> 1);
    const r = this.fvad._fvad_process(this.handle, this.ptr, frame.length);
    if (r < 0) throw new RangeError(`fvad rejected a frame of ${frame.length} samples`);
    return r === 1;
  }

  free(): void {
    if (!this.handle) return;
    this.fvad._fvad_free(this.handle);
    this.fvad._free(this.ptr);
    this.handle = 0;
  }
}

export type TurnEvent =
  | { type: 'start'; startMs: number }
  | { type: 'stop'; startMs: number; endMs: number; complete: boolean };

/**
 * Frame decisions → turns. Pure logic, fed one frame at a time:
 * - speech starts after `speechStartMs` of consecutive voiced frames, at least half of them
 *   loud; its onset is the first of them;
 * - inside a turn, unvoiced gaps up to `hangoverMs` keep the segment open (any voiced frame
 *   extends it); after that, new speech must pass the `speechStartMs` test again, so a
 *   click in the pause does not prolong the turn;
 * - the turn ends once the segment is closed and `endOfTurnSilenceMs` have passed since the
 *   end of speech; shorter than `minSpeechMs` → incomplete.
 * libfvad keeps flagging a few frames as voiced after speech ends (its own hang-over), so
 * the end of speech is the last voiced frame that was also loud (RMS above the energy floor
 * and above 3× the running noise floor), falling back to the last voiced frame.
 */
export class TurnDetector {
  private inTurn = false;
  private runStart: number | undefined;
  private runMs = 0;
  private runLoudEnd: number | undefined;
  private runLoudMs = 0;
  private turnStart = 0;
  private lastVoicedEnd = 0;
  private lastLoudEnd: number | undefined;
  private segmentOpen = false;
  private noiseFloor: number | undefined;

  constructor(private readonly config: ResolvedVad) {}

  get speaking(): boolean {
    return this.inTurn;
  }

  /** Feeds one frame [startMs, startMs + frameMs). Returns the events it causes. */
  frame(startMs: number, frameMs: number, voiced: boolean, rms: number): TurnEvent[] {
    const c = this.config;
    const end = startMs + frameMs;
    const loud = rms >= Math.max(c.energyFloor, 3 * (this.noiseFloor ?? 0));
    const events: TurnEvent[] = [];
    if (!voiced) {
      this.noiseFloor = this.noiseFloor === undefined ? rms : 0.9 * this.noiseFloor + 0.1 * rms;
      this.resetRun();
    }

    if (!this.inTurn) {
      if (voiced && this.extendRun(startMs, frameMs, end, loud)) {
        this.inTurn = true;
        this.turnStart = this.runStart!;
        this.lastVoicedEnd = end;
        this.lastLoudEnd = this.runLoudEnd;
        this.segmentOpen = true;
        this.resetRun();
        events.push({ type: 'start', startMs: this.turnStart });
      }
      return events;
    }

    if (voiced) {
      if (this.segmentOpen) {
        this.lastVoicedEnd = end;
        if (loud) this.lastLoudEnd = end;
      } else if (this.extendRun(startMs, frameMs, end, loud)) {
        this.segmentOpen = true;
        this.lastVoicedEnd = end;
        if (this.runLoudEnd !== undefined) this.lastLoudEnd = this.runLoudEnd;
        this.resetRun();
      }
    } else if (this.segmentOpen && end - this.lastVoicedEnd >= c.hangoverMs) {
      this.segmentOpen = false;
    }

    const speechEnd = this.lastLoudEnd ?? this.lastVoicedEnd;
    if (!this.segmentOpen && end - speechEnd >= c.endOfTurnSilenceMs) {
      this.inTurn = false;
      this.resetRun();
      this.lastLoudEnd = undefined;
      const startMs = this.turnStart;
      events.push({ type: 'stop', startMs, endMs: speechEnd, complete: speechEnd - startMs >= c.minSpeechMs });
    }
    return events;
  }

  /** Adds a voiced frame to the pending run; true once the run is long enough to count. */
  private extendRun(startMs: number, frameMs: number, end: number, loud: boolean): boolean {
    this.runStart ??= startMs;
    this.runMs += frameMs;
    if (loud) {
      this.runLoudEnd = end;
      this.runLoudMs += frameMs;
    }
    // Energy gate: libfvad flags faint noise while its noise model adapts (e.g. at the start
    // of a session), so at least half of the run must also be loud.
    return this.runMs >= this.config.speechStartMs && this.runLoudMs >= this.config.speechStartMs / 2;
  }

  private resetRun(): void {
    this.runStart = undefined;
    this.runMs = 0;
    this.runLoudEnd = undefined;
    this.runLoudMs = 0;
  }
}

function rmsOf(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i]! * frame[i]!;
  return Math.sqrt(sum / frame.length);
}

/** A session's input side: arbitrary-size chunks in, turn events out, clocked by samples. */
export class VoiceActivity {
  private readonly vad: FrameVad;
  private readonly detector: TurnDetector;
  private readonly frameSamples: number;
  private pending = new Int16Array(0);
  private samples = 0;

  constructor(fvad: FvadModule, private readonly config: ResolvedVad) {
    this.vad = new FrameVad(fvad, config.mode);
    this.detector = new TurnDetector(config);
    this.frameSamples = config.frameMs * SAMPLES_PER_MS;
  }

  /** Input audio consumed so far, in ms (the session's audio clock). */
  get audioMs(): number {
    return (this.samples + this.pending.length) / SAMPLES_PER_MS;
  }

  get speaking(): boolean {
    return this.detector.speaking;
  }

  push(pcm: Int16Array): TurnEvent[] {
    let buf: Int16Array;
    if (this.pending.length === 0) buf = pcm;
    else {
      buf = new Int16Array(this.pending.length + pcm.length);
      buf.set(this.pending);
      buf.set(pcm, this.pending.length);
    }
    const events: TurnEvent[] = [];
    let at = 0;
    for (; at + this.frameSamples <= buf.length; at += this.frameSamples) {
      const frame = buf.subarray(at, at + this.frameSamples);
      const startMs = this.samples / SAMPLES_PER_MS;
      this.samples += this.frameSamples;
      events.push(...this.detector.frame(startMs, this.config.frameMs, this.vad.isVoiced(frame), rmsOf(frame)));
    }
    this.pending = buf.slice(at);
    return events;
  }

  free(): void {
    this.vad.free();
  }
}
