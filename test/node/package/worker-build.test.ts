// The worker in the shipped files: the classic script is its own worker script (in a worker
// scope it runs the engine and never defines or renders the element, which needs a DOM), the engine's
// code ships once in it, and the ES build starts its module worker with the literal pattern
// bundlers rewrite, sharing the engine's chunk instead of a second copy.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Script, createContext } from 'node:vm';
import { build } from 'vite';
import viteConfig, { esModuleConfig, workerConfig } from '../../../vite.config.ts';

let out: string;

before(async () => {
  out = mkdtempSync(join(tmpdir(), 'hydra-voice-worker-build-'));
  const quiet = { logLevel: 'silent' as const };
  const base = viteConfig as { build: object; publicDir: false };
  await build({ ...base, ...quiet, configFile: false, build: { ...base.build, outDir: out, rollupOptions: {} } });
  await build({ ...esModuleConfig, ...quiet, build: { ...esModuleConfig.build, outDir: out } });
  await build({ ...workerConfig, ...quiet, build: { ...workerConfig.build, outDir: out } });
});
after(() => rmSync(out, { recursive: true, force: true }));

/** Runs a classic script in a sandbox that looks like a dedicated worker; returns what it posted. */
function runAsWorker(file: string): { posted: unknown[]; touched: string[] } {
  const posted: unknown[] = [];
  const touched: string[] = [];
  // A vm global cannot inherit from a class of ours: answer `instanceof` for it.
  const WorkerGlobalScope = class {
    static [Symbol.hasInstance](): boolean {
      return true;
    }
  };
  const scope: Record<string, unknown> = {};
  Object.assign(scope, {
    WorkerGlobalScope,
    postMessage: (m: unknown) => posted.push(m),
    onmessage: null,
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    performance,
    crypto,
    URL,
    Blob,
    TextEncoder,
    TextDecoder,
    EventTarget,
    Event,
  });
  // Defining or rendering the element would reach for these: record any access. (A worker
  // has no `document` or `HTMLElement` either; the classic script lends stand-ins while Lit
  // evaluates and must take them back: see `left`.)
  for (const name of ['customElements', 'window']) {
    Object.defineProperty(scope, name, { get: () => void touched.push(name), configurable: true });
  }
  const context = createContext(scope);
  new Script(readFileSync(file, 'utf8'), { filename: file }).runInContext(context);
  const left = ['document', 'HTMLElement', '__hydraVoiceLent'].filter((name) => name in scope);
  return { posted, touched: [...touched, ...left] };
}

describe('the worker in the build', () => {
  it('dist/hydra-voice.js in a worker scope runs the engine (says ready), defines no element and leaves no DOM stand-in', async () => {
    const { posted, touched } = runAsWorker(join(out, 'hydra-voice.js'));
    await new Promise((r) => setTimeout(r, 50)); // nothing deferred touches the DOM either
    assert.deepEqual(JSON.parse(JSON.stringify(posted)), [{ type: 'ready' }]);
    assert.deepEqual(touched, []);
  });

  it('dist/hydra-voice-worker.js (for worker-url) is the engine alone', () => {
    const { posted, touched } = runAsWorker(join(out, 'hydra-voice-worker.js'));
    assert.deepEqual(JSON.parse(JSON.stringify(posted)), [{ type: 'ready' }]);
    assert.deepEqual(touched, []);
    assert.doesNotMatch(readFileSync(join(out, 'hydra-voice-worker.js'), 'utf8'), /customElements|lit-html/);
  });

  it('the classic script holds the engine once', () => {
    const code = readFileSync(join(out, 'hydra-voice.js'), 'utf8');
    for (const marker of ['The connection to Hydra dropped', 'Ignored reply audio for response', 'failed twice before it opened']) {
      assert.equal(code.split(marker).length - 1, 1, `"${marker}" appears once`);
    }
  });

  it('the ES build starts dist/hydra-voice-worker.mjs with the pattern bundlers rewrite, sharing the engine chunk', () => {
    const element = readFileSync(join(out, 'hydra-voice.mjs'), 'utf8');
    assert.match(element, /new Worker\(new URL\("\.\/hydra-voice-worker\.mjs", import\.meta\.url\), \{ type: "module" \}\)/);
    const worker = readFileSync(join(out, 'hydra-voice-worker.mjs'), 'utf8');
    const shared = readdirSync(out).filter((f) => /^hydra-voice-shared-.*\.mjs$/.test(f));
    assert.equal(shared.length, 1, 'one shared chunk');
    assert.ok(worker.includes(`./${shared[0]}`) && element.includes(`./${shared[0]}`), 'both entries import the shared chunk');
    assert.doesNotMatch(readFileSync(join(out, shared[0]!), 'utf8'), /customElements\.define|lit-html/, 'the worker never loads the element');
    for (const marker of ['The connection to Hydra dropped', 'failed twice before it opened']) {
      assert.ok(!element.includes(marker), `"${marker}" is not repeated in the element's file`);
    }
  });
});
