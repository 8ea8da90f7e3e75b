// Test fixtures made at test time, never downloaded: speech is synthesized offline by the
// simulator's own speech engine (Flite, compiled to WASI) and written as 16-bit WAV files
// under test/fixtures/generated/. Chromium reads one of them as its fake microphone.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { synthesizeSpeech } from '../../src/server/tts/flite.ts';
import { encodeWav } from '../../src/server/audio/wav.ts';

const dir = resolve('test/fixtures/generated');

export interface Fixtures {
  /** A spoken question, then 3 s of silence (Chromium loops the file). */
  micSpeechWav: string;
  /** 10 s of digital silence. */
  micSilenceWav: string;
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

export async function prepareFixtures(): Promise<Fixtures> {
  mkdirSync(dir, { recursive: true });
  const micSpeechWav = join(dir, 'mic-speech-48k.wav');
  const micSilenceWav = join(dir, 'mic-silence-48k.wav');
  if (!existsSync(micSpeechWav)) {
    const speech = await synthesizeSpeech('What is the weather like in Paris today?', { sampleRate: 48_000 });
    writeFileSync(micSpeechWav, encodeWav(concat(silence(48_000), speech, silence(3 * 48_000)), 48_000));
  }
  if (!existsSync(micSilenceWav)) writeFileSync(micSilenceWav, encodeWav(silence(10 * 48_000), 48_000));
  return { micSpeechWav, micSilenceWav };
}
