// Speech synthesis leaks nothing: hundreds of new sentences (each one a full Flite run)
// leave file descriptors exactly flat and live memory bounded, on the calling thread and
// through the synthesis worker. (With node:wasi every run leaked its preopened directory's
// fd, pointing to an already deleted temp folder.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { synthesizeSpeech } from '../../../src/server/tts/flite.ts';
import { synthesizeOffThread } from '../../../src/server/tts/synthesis-thread.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const fds = () => readdirSync('/proc/self/fd').length;
const MB = 1024 * 1024;

function settledMemory() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external + m.arrayBuffers, rss: m.rss };
}

describe('speech synthesis leaks nothing', () => {
  it('200 new sentences on this thread: fds flat, heap and external memory flat, RSS bounded', async () => {
    for (let i = 0; i < 20; i++) await synthesizeSpeech(`Warming up ${i}.`);
    const fdsBefore = fds();
    const before = settledMemory();
    for (let i = 0; i < 200; i++) await synthesizeSpeech(`New sentence ${i}.`, { sampleRate: 48_000 });
    const after = settledMemory();
    assert.equal(fds() - fdsBefore, 0, 'file descriptors');
    assert.ok(after.heap - before.heap < 2 * MB, `heap grew ${((after.heap - before.heap) / MB).toFixed(1)} MB`);
    // Flite's memory may grow once for a longer sentence; it is never kept per sentence.
    assert.ok(after.external - before.external < 16 * MB, `external memory grew ${((after.external - before.external) / MB).toFixed(1)} MB`);
    assert.ok(after.rss - before.rss < 64 * MB, `RSS grew ${((after.rss - before.rss) / MB).toFixed(1)} MB`);
  });

  it('60 new sentences through the synthesis worker: fds flat', async () => {
    await synthesizeOffThread('Starting the worker.');
    const fdsBefore = fds();
    for (let i = 0; i < 60; i++) await synthesizeOffThread(`Worker sentence ${i}.`);
    assert.equal(fds() - fdsBefore, 0, 'file descriptors');
  });
});
