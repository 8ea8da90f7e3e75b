// What the simulator heard: the level of every input_audio_buffer.append it received, per
// session, on the session's input-audio clock (ms, as audio_start_ms counts). The e2e
// stack serves it (GET /__e2e/input-levels) so a test that sees a turn it did not expect
// can print what Hydra was actually sent before it (the wire log elides audio).
import { base64ToPcm16 } from '../../src/protocol/base64.ts';
import type { FrameTap } from '../../src/server/simulator/index.ts';
import { dbfs } from './dbfs.ts';

/** Levels kept per session: the last 5 min or more of 20 ms chunks (a whole test conversation). */
const KEEP = 15_000;

export interface InputLevel {
  /** Offset of the chunk's first sample on the input clock, ms. */
  atMs: number;
  /** RMS level, dBFS (-99 for digital silence). */
  db: number;
}

export class InputLevels {
  #sessions = new Map<string, { clockMs: number; levels: InputLevel[] }>();

  /** A simulator `onFrame` tap. */
  readonly onFrame = (tap: FrameTap): void => {
    if (tap.direction !== 'received' || tap.binary || !tap.sessionId || !tap.data.includes('input_audio_buffer.append')) return;
    let audio: unknown;
    try {
      audio = (JSON.parse(tap.data) as { audio?: unknown }).audio;
    } catch {
      return;
    }
    // Malformed audio is the simulator's to reject; it has no level to record.
    const samples = typeof audio === 'string' ? base64ToPcm16(audio) : null;
    if (!samples?.length) return;
    let sum = 0;
    for (const v of samples) sum += v * v;
    const db = dbfs(Math.sqrt(sum / samples.length) / 32768);
    let s = this.#sessions.get(tap.sessionId);
    if (!s) this.#sessions.set(tap.sessionId, (s = { clockMs: 0, levels: [] }));
    s.levels.push({ atMs: s.clockMs, db });
    if (s.levels.length > 2 * KEEP) s.levels.splice(0, KEEP);
    s.clockMs += samples.length / 16;
  };

  /** The levels of a session's chunks that start within [fromMs, toMs]. */
  between(sessionId: string, fromMs: number, toMs: number): InputLevel[] {
    return (this.#sessions.get(sessionId)?.levels ?? []).filter((l) => l.atMs >= fromMs && l.atMs <= toMs);
  }
}
