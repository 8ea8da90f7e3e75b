// Test fixtures made at test time, never downloaded: speech is synthesized offline by the
// simulator's own speech engine (Flite, compiled to WASI) and written as 16-bit WAV files
// under test/fixtures/generated/. Chromium reads one of them as its fake microphone (the
// Node-driven soak and benchmarks); the browser suite plays the others into each engine's
// PulseAudio room (test/support/pulse.ts), where the microphone hears them.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { synthesizeSpeech } from '../../src/server/tts/flite.ts';
import { encodeWav } from '../../src/server/audio/wav.ts';

const dir = resolve('test/fixtures/generated');

export interface Fixtures {
  /** A spoken question, then 3 s of silence (Chromium loops the file). */
  micSpeechWav: string;
  /** 10 s of digital silence. */
  micSilenceWav: string;
  /** The user's question alone (Flite "slt"), 0.2 s of silence either side. */
  questionWav: string;
  /** Another voice (Flite "rms") talking over the agent: the barge-in. Loud (+8 dB, soft-limited
   *  to -1 dBFS): a user leaning in to interrupt is louder at the mic than the loudspeaker's
   *  echo, which the speakerphone rig plays back at 0 dB. */
  interruptionWav: string;
  /** A short prompt ("Go on."), to ask for the next reply quickly. */
  promptWav: string;
  /** 10 s of a quiet room (white noise at -60 dBFS RMS): a real mic never delivers exact zeros. */
  roomToneWav: string;
}

/** Words of the fixtures, for tests that check what was heard. */
export const QUESTION_TEXT = 'What is the weather like in Paris today?';
export const INTERRUPTION_TEXT = 'Sorry to interrupt, but what about tomorrow?';
export const PROMPT_TEXT = 'Go on.';

/** `pcm` normalized to a peak of `peakDbfs`, then `boostDb` louder through a soft limiter (tanh). */
function louder(pcm: Int16Array, boostDb: number, peakDbfs: number): Int16Array {
  let peak = 1;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  const ceiling = 10 ** (peakDbfs / 20);
  const gain = 10 ** (boostDb / 20);
  return Int16Array.from(pcm, (v) => Math.round(32767 * ceiling * Math.tanh((gain * v) / peak)));
}

/** Deterministic white noise (xorshift32) with the given RMS in int16 units. */
function noise(samples: number, rms: number, seed = 12345): Int16Array {
  const out = new Int16Array(samples);
  let s = seed;
  // Uniform in [-a, a] has RMS a / sqrt(3).
  const a = rms * Math.sqrt(3);
  for (let i = 0; i < samples; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = Math.round((((s >>> 0) / 4294967296) * 2 - 1) * a);
  }
  return out;
}

function silence(samples: number): Int16Array {
  return new Int16Array(samples);
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Writes `path` once; atomically (temp file + rename), so parallel runs never read half a file. */
async function once(path: string, make: () => Promise<Uint8Array> | Uint8Array): Promise<void> {
  if (existsSync(path)) return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, await make());
  renameSync(tmp, path);
}

export async function prepareFixtures(): Promise<Fixtures> {
  mkdirSync(dir, { recursive: true });
  const micSpeechWav = join(dir, 'mic-speech-48k.wav');
  const micSilenceWav = join(dir, 'mic-silence-48k.wav');
  const questionWav = join(dir, 'question-48k.wav');
  const interruptionWav = join(dir, 'interruption-leaning-in-48k.wav');
  const roomToneWav = join(dir, 'room-tone-48k.wav');
  const promptWav = join(dir, 'prompt-48k.wav');
  const pad = silence(0.2 * 48_000);
  await once(micSpeechWav, async () => {
    const speech = await synthesizeSpeech(QUESTION_TEXT, { sampleRate: 48_000 });
    return encodeWav(concat(silence(48_000), speech, silence(3 * 48_000)), 48_000);
  });
  await once(micSilenceWav, () => encodeWav(silence(10 * 48_000), 48_000));
  await once(questionWav, async () => encodeWav(concat(pad, await synthesizeSpeech(QUESTION_TEXT, { sampleRate: 48_000 }), pad), 48_000));
  await once(interruptionWav, async () =>
    encodeWav(concat(pad, louder(await synthesizeSpeech(INTERRUPTION_TEXT, { voice: 'rms', sampleRate: 48_000 }), 8, -1), pad), 48_000),
  );
  await once(promptWav, async () => encodeWav(concat(pad, await synthesizeSpeech(PROMPT_TEXT, { sampleRate: 48_000 }), pad), 48_000));
  await once(roomToneWav, () => encodeWav(noise(10 * 48_000, 32768 * 10 ** (-60 / 20)), 48_000));
  return { micSpeechWav, micSilenceWav, questionWav, interruptionWav, promptWav, roomToneWav };
}
