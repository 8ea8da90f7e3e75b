// Worklet loading: the module built from the classes' own source, through each path the
// loader tries (configured same-origin URL, Blob URL, data: URL), under real CSPs set by
// <meta> tags in same-origin iframes, and the error a fully blocked page gets.
// The strict-CSP page is a real file (pages/csp-self.html), not a srcdoc iframe: Firefox
// and WebKit refuse a worklet module from a srcdoc document under script-src 'self'
// (Firefox: AbortError; WebKit: "Cross-origin script load denied"), a quirk of srcdoc that
// no site serving its own page meets.
import { expect } from '@open-wc/testing';
import { blobStep, dataStep, loadWorkletModule, loadWorklets, WorkletLoadError } from '../../../src/audio/worklet-loader.ts';
import type { WorkletStep } from '../../../src/audio/worklet-loader.ts';
import { CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR, captureWorkletSource, playbackWorkletSource, workletSource } from '../../../src/audio/worklet-source.ts';

/** A same-origin iframe whose document carries `csp` as a <meta> Content-Security-Policy. */
async function cspFrame(csp: string): Promise<{ win: Window & typeof globalThis; remove: () => void }> {
  const frame = document.createElement('iframe');
  if (csp === "script-src 'self'") frame.src = new URL('./pages/csp-self.html', import.meta.url).href;
  else frame.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="${csp}"><body></body>`;
  const loaded = new Promise((r) => frame.addEventListener('load', r, { once: true }));
  document.body.append(frame);
  await loaded;
  return { win: frame.contentWindow as Window & typeof globalThis, remove: () => frame.remove() };
}

/** True when `name` is registered in ctx's worklet scope (constructing a node succeeds). */
function registered(win: Window & typeof globalThis, ctx: BaseAudioContext, name: string): boolean {
  try {
    new win.AudioWorkletNode(ctx, name, { numberOfInputs: 0, numberOfOutputs: 1 });
    return true;
  } catch {
    return false;
  }
}

describe('worklet loader', () => {
  it('loads both processors through a Blob URL on a page without a CSP', async () => {
    const ctx = new OfflineAudioContext(1, 128, 48_000);
    expect(await loadWorkletModule(ctx, workletSource())).to.equal('blob');
    expect(registered(window, ctx, CAPTURE_PROCESSOR)).to.equal(true);
    expect(registered(window, ctx, PLAYBACK_PROCESSOR)).to.equal(true);
  });

  it('loads once per context (shared promise)', async () => {
    const ctx = new OfflineAudioContext(1, 128, 48_000);
    const a = loadWorklets(ctx);
    expect(loadWorklets(ctx)).to.equal(a);
    expect(await a).to.equal('blob');
  });

  it('falls back to a data: URL when the Blob step fails (injected failure)', async () => {
    const ctx = new OfflineAudioContext(1, 128, 48_000);
    const refused: WorkletStep = { via: 'blob', url: () => ({ url: 'blob:https://nowhere.invalid/refused' }) };
    expect(await loadWorkletModule(ctx, workletSource(), { steps: [refused, dataStep] })).to.equal('data');
    expect(registered(window, ctx, PLAYBACK_PROCESSOR)).to.equal(true);
  });

  it('uses the data: URL under a real CSP that allows data: but not blob:', async () => {
    const { win, remove } = await cspFrame("script-src 'self' 'unsafe-inline' data:");
    const ctx = new win.AudioContext();
    try {
      expect(await loadWorkletModule(ctx, workletSource(), { steps: [blobStep, dataStep] })).to.equal('data');
      expect(registered(win, ctx, CAPTURE_PROCESSOR)).to.equal(true);
    } finally {
      await ctx.close();
      remove();
    }
  });

  it("prefers the configured same-origin URL (strict CSP: script-src 'self')", async () => {
    const { win, remove } = await cspFrame("script-src 'self'");
    const ctx = new win.AudioContext();
    // Stand-in for dist/hydra-voice-worklets.js: its entry module, served (as JS) by the test server.
    const url = new URL('../../../src/audio/worklet/entry.ts', import.meta.url).href;
    const served = await fetch(url);
    try {
      expect(served.ok, `${url} must exist for this test`).to.equal(true);
      expect(await loadWorkletModule(ctx, workletSource(), { workletUrl: url })).to.equal('url');
      expect(registered(win, ctx, PLAYBACK_PROCESSOR)).to.equal(true);
    } finally {
      await ctx.close();
      remove();
    }
  });

  it('names the CSP directive to change when blob: and data: are both blocked', async () => {
    const { win, remove } = await cspFrame("script-src 'self'");
    const ctx = new win.AudioContext();
    try {
      const err = await loadWorkletModule(ctx, workletSource()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(WorkletLoadError);
      const e = err as WorkletLoadError;
      expect(e.directive).to.match(/^script-src/);
      expect(e.message).to.contain('script-src');
      expect(e.message).to.contain('blob:');
      expect(e.message).to.contain('worklet-url');
      expect(e.attempts.map((a) => a.via)).to.deep.equal(['blob', 'data']);
    } finally {
      await ctx.close();
      remove();
    }
  });

  it('reports a missing configured file and still falls back', async () => {
    const ctx = new OfflineAudioContext(1, 128, 48_000);
    const via = await loadWorkletModule(ctx, workletSource(), { workletUrl: '/no/such/hydra-voice-worklets.js' });
    expect(via).to.equal('blob');
  });

  it('the generated source is self-contained (no free references to the bundle)', async () => {
    // Each part loads alone in a fresh context and registers only its processor.
    for (const [src, name, other] of [
      [captureWorkletSource(), CAPTURE_PROCESSOR, PLAYBACK_PROCESSOR],
      [playbackWorkletSource(), PLAYBACK_PROCESSOR, CAPTURE_PROCESSOR],
    ] as const) {
      const ctx = new OfflineAudioContext(1, 48_000, 48_000);
      await loadWorkletModule(ctx, src);
      expect(registered(window, ctx, name)).to.equal(true);
      expect(registered(window, ctx, other)).to.equal(false);
    }
    const source = workletSource();
    expect(source).to.match(/^const Resampler = \(class/m);
    expect(source).not.to.match(/\bimport\b|\bexport\b/);
  });
});
