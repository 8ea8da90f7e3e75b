// Reply audio: Flite speech at 48 kHz, one synthesis per distinct sentence and voice,
// cached process-wide (replies repeat a lot, and Flite blocks the event loop while it runs).
import { synthesizeSpeech, type FliteVoice } from '../tts/flite.ts';

export const OUTPUT_RATE = 48_000;
const GAP_MS = 150;
const CACHE_LIMIT = 512;

// Flite has four voices; Hydra names map onto them so voices at least differ by sex.
const FEMALE = new Set(['zoe', 'maya', 'elena', 'ivy', 'grace', 'aria', 'wren', 'sloane', 'marlowe', 'quinn', 'blair', 'emery', 'lane', 'arden']);
const SCOTTISH = new Set(['kai', 'leo', 'rowan', 'knox', 'hayes', 'ellis']);

/** The Flite voice that stands in for a Hydra voice. */
export function fliteVoiceFor(hydraVoice: string): FliteVoice {
  if (FEMALE.has(hydraVoice)) return 'slt';
  if (SCOTTISH.has(hydraVoice)) return 'awb';
  return 'rms';
}

const cache = new Map<string, Promise<Int16Array>>();

function sentenceAudio(sentence: string, voice: FliteVoice): Promise<Int16Array> {
  const key = `${voice}\u0000${sentence}`;
  const hit = cache.get(key);
  if (hit) {
    // Refresh recency: Map iteration order is insertion order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const made = synthesizeSpeech(sentence, { voice, sampleRate: OUTPUT_RATE });
  made.catch(() => cache.delete(key));
  cache.set(key, made);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return made;
}

/** Splits text into sentences (the cache unit). */
export function sentences(text: string): string[] {
  return (text.match(/[^.!?]+[.!?]*/g) ?? []).map((s) => s.trim()).filter((s) => /[A-Za-z0-9]/.test(s));
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
