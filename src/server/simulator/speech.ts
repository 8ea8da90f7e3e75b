// Reply audio: Flite speech at 48 kHz, synthesized in a worker thread (never on the event
// loop), one synthesis per distinct sentence and voice, cached process-wide (replies repeat
// a lot). The cache is bounded by the audio it holds, not by entries.
import type { FliteVoice } from '../tts/flite.ts';
import { synthesizeOffThread } from '../tts/synthesis-thread.ts';
import { LIMITS, splitForSynthesis } from './limits.ts';

export const OUTPUT_RATE = 48_000;
const GAP_MS = 150;
/** Audio kept in the sentence cache (≈ 6 minutes of 48 kHz speech). */
const CACHE_BYTES = 32 * 1024 * 1024;

// Flite has four voices; Hydra names map onto them so voices at least differ by sex.
const FEMALE = new Set(['zoe', 'maya', 'elena', 'ivy', 'grace', 'aria', 'wren', 'sloane', 'marlowe', 'quinn', 'blair', 'emery', 'lane', 'arden']);
const SCOTTISH = new Set(['kai', 'leo', 'rowan', 'knox', 'hayes', 'ellis']);

/** The Flite voice that stands in for a Hydra voice. */
export function fliteVoiceFor(hydraVoice: string): FliteVoice {
  if (FEMALE.has(hydraVoice)) return 'slt';
  if (SCOTTISH.has(hydraVoice)) return 'awb';
  return 'rms';
}

interface CacheEntry {
  audio: Promise<Int16Array>;
  bytes: number;
}

const cache = new Map<string, CacheEntry>();
let cachedBytes = 0;

function evict(key: string): void {
  const entry = cache.get(key);
  if (!entry) return;
  cache.delete(key);
  cachedBytes -= entry.bytes;
}

function sentenceAudio(sentence: string, voice: FliteVoice): Promise<Int16Array> {
  const key = `${voice}\u0000${sentence}`;
  const hit = cache.get(key);
  if (hit) {
    // Refresh recency: Map iteration order is insertion order.
    cache.delete(key);
    cache.set(key, hit);
    return hit.audio;
  }
  const entry: CacheEntry = { audio: synthesizeOffThread(sentence, { voice, sampleRate: OUTPUT_RATE }), bytes: 0 };
  cache.set(key, entry);
  entry.audio.then(
    (pcm) => {
      if (cache.get(key) !== entry) return;
      entry.bytes = pcm.byteLength;
      cachedBytes += entry.bytes;
      for (const oldest of cache.keys()) {
        if (cachedBytes <= CACHE_BYTES) break;
        evict(oldest);
      }
    },
    () => {
      if (cache.get(key) === entry) evict(key);
    },
  );
  return entry.audio;
}

/** Splits text into sentences (the cache unit), long ones into pieces Flite handles quickly. */
export function sentences(text: string): string[] {
  return (text.match(/[^.!?]+[.!?]*/g) ?? [])
    .map((s) => s.trim())
    .filter((s) => /[A-Za-z0-9]/.test(s))
    .flatMap((s) => splitForSynthesis(s, LIMITS.synthesisChars));
}

/** Speaks `text` in the stand-in for `hydraVoice`: 48 kHz mono PCM16. */
export async function speak(text: string, hydraVoice: string): Promise<Int16Array> {
  const voice = fliteVoiceFor(hydraVoice);
  const parts = await Promise.all(sentences(text).map((s) => sentenceAudio(s, voice)));
  const gap = (GAP_MS * OUTPUT_RATE) / 1000;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0) + gap * Math.max(0, parts.length - 1));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length + gap;
  }
  return out;
}
