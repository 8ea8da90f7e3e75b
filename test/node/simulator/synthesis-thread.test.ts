// Speech synthesis runs in a worker thread: a long reply leaves the event loop free, the
// sentence cache still answers repeats without synthesizing again, and the worker also
// starts from the compiled package (plain Node, no tsx).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LIMITS } from '../../../src/server/simulator/index.ts';
import { speak } from '../../../src/server/simulator/speech.ts';
import { synthesisCount } from '../../../src/server/tts/synthesis-thread.ts';
import { LoopMeter } from './loop-meter.ts';

describe('speech synthesis off the event loop', () => {
  it('a reply of the maximum length is synthesized while the event loop stays free', async () => {
    const text = 'Here is a sentence that is long enough to keep Flite busy for a while, with clauses and commas. '.repeat(8).slice(0, LIMITS.replyChars);
    await speak('Start the worker.', 'maya');
    const meter = new LoopMeter().start();
    const started = performance.now();
    const pcm = await speak(text, 'maya');
    const { longestBlockMs } = meter.stop();
    assert.ok(pcm.length / 48_000 > 20, 'about half a minute of speech');
    assert.ok(longestBlockMs < 50, `event loop held for ${longestBlockMs.toFixed(1)} ms during ${(performance.now() - started).toFixed(0)} ms of synthesis`);
  });

  it('repeated sentences come from the cache: the same samples, and no second synthesis', async () => {
    const first = await speak('The cache remembers this sentence.', 'leo');
    const syntheses = synthesisCount();
    const again = await speak('The cache remembers this sentence.', 'leo');
    assert.equal(synthesisCount(), syntheses, 'answered from the cache');
    assert.deepEqual(again, first);
    await speak('The cache remembers this sentence.', 'maya'); // another Flite voice: a new entry
    assert.equal(synthesisCount(), syntheses + 1);
  });

  it('the compiled package starts the worker without tsx', () => {
    const out = resolve('.test-results', `server-build-${process.pid}`);
    mkdirSync(out, { recursive: true });
    try {
      execFileSync(resolve('node_modules/.bin/tsc'), ['-p', 'tsconfig.server.json', '--outDir', out], { stdio: 'pipe' });
      const script = `import(${JSON.stringify(join(out, 'server/tts/synthesis-thread.js'))}).then((m) => m.synthesizeOffThread('Compiled.')).then((pcm) => console.log(pcm.length))`;
      const samples = Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim());
      assert.ok(samples > 10_000, `${samples} samples`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
