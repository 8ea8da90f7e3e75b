// Where the engine (socket, codec, audio routing) runs, and how it got there: a worker by
// default, started from the element's own script (same-origin file, a Blob importing a
// cross-origin script, the ES module worker) or from `worker-url`; on the main thread only
// when no worker can start (said once in the console and in debugStats), and the
// conversation works either way. Mic audio reaching the puppet proves the capture worklet →
// engine route; the page's own WebSocket constructor is watched to prove where the socket is.
import { expect } from '@open-wc/testing';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import type { Puppet } from '../../support/puppet.ts';
import { connect, openPage, otherOrigin, puppetAndPage, sv, toneDelta, type TestPage } from './helpers.ts';

/** Counts WebSockets the page's main thread creates while `body` runs. */
async function socketsOnMainThread(win: Window & typeof globalThis, body: () => Promise<void>): Promise<number> {
  const Original = win.WebSocket;
  let made = 0;
  win.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      made++;
    }
  } as typeof WebSocket;
  try {
    await body();
  } finally {
    win.WebSocket = Original;
  }
  return made;
}

/** The mic reaches the server: a few appends with real (non-zero) audio after configure. */
async function micReachesServer(puppet: Puppet): Promise<void> {
  const before = puppet.sent('input_audio_buffer.append').length;
  const frame = await puppet.frame('input_audio_buffer.append', before + 5, 10_000);
  expect(atob(frame.audio).length).to.equal(640);
}

/** A short reply plays and ends with hydra-playback-end (the playback route works). */
async function replyPlays(el: HydraVoiceElement, puppet: Puppet): Promise<void> {
  const ended = new Promise<CustomEvent>((r) => el.addEventListener('hydra-playback-end', (e) => r(e as CustomEvent), { once: true }));
  puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_w' } });
  for (let i = 0; i < 10; i++) puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_w', delta: toneDelta() });
  puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_w' });
  puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_w', status: 'completed', output: [] } });
  expect((await ended).detail).to.deep.equal({ responseId: 'resp_w', interrupted: false, durationMs: 200 });
}

describe('the engine in a worker', function () {
  this.timeout(30_000);
  const ctx = puppetAndPage();

  async function converse(p: TestPage): Promise<number> {
    const made = await socketsOnMainThread(p.win, async () => {
      await connect(p.el, ctx.puppet);
      await micReachesServer(ctx.puppet);
      await replyPlays(p.el, ctx.puppet);
    });
    return made;
  }

  it('the ES module from source: a module worker holds the socket; mic and reply audio flow', async () => {
    ctx.page = await openPage('<script type="module" src="/src/index.ts"></script>');
    expect(await converse(ctx.page)).to.equal(0);
    expect(ctx.page.el.debugStats).to.include({ thread: 'worker', worker: 'module' });
    expect(ctx.page.win.__warnings.filter((w) => w.includes('hydra-voice'))).to.deep.equal([]);
  });

  it('the built classic script, same-origin: the script itself is the worker', async () => {
    ctx.page = await openPage('<script src="/dist/hydra-voice.js"></script>');
    expect(await converse(ctx.page)).to.equal(0);
    expect(ctx.page.el.debugStats).to.include({ thread: 'worker', worker: 'script' });
  });

  it('the built classic script from another origin (a CDN): a Blob worker imports it', async () => {
    ctx.page = await openPage(`<script src="${otherOrigin()}/dist/hydra-voice.js"></script>`);
    expect(await converse(ctx.page)).to.equal(0);
    expect(ctx.page.el.debugStats).to.include({ thread: 'worker', worker: 'blob' });
    // The Blob worker has the page's origin, so the socket's Origin header is the page's
    // (the relay's origin check), not the script's and not an opaque "null".
    const open = ctx.puppet.events.find((e) => e.ev === 'open') as { origin?: string };
    expect(open.origin).to.equal(location.origin);
  });

  it('the built ES module: its module worker (dist/hydra-voice-worker.mjs)', async () => {
    ctx.page = await openPage('<script type="module" src="/dist/hydra-voice.mjs"></script>');
    expect(await converse(ctx.page)).to.equal(0);
    expect(ctx.page.el.debugStats).to.include({ thread: 'worker', worker: 'module' });
  });

  it("worker-url under a CSP without blob: workers: the page's own copy of hydra-voice-worker.js", async () => {
    ctx.page = await openPage(
      `<meta http-equiv="Content-Security-Policy" content="worker-src 'self'">` + `<script src="${otherOrigin()}/dist/hydra-voice.js"></script>`,
      '<hydra-voice worker-url="/dist/hydra-voice-worker.js"></hydra-voice>',
    );
    expect(await converse(ctx.page)).to.equal(0);
    expect(ctx.page.el.debugStats).to.include({ thread: 'worker', worker: 'url' });
  });

  it('started muted: the engine streams silence from the first chunk (the spoken question never leaves the page)', async () => {
    ctx.page = await openPage('<script type="module" src="/src/index.ts"></script>', '<hydra-voice muted></hydra-voice>');
    await connect(ctx.page.el, ctx.puppet);
    // 3 s of mic: the fake microphone's question starts after 1 s of silence.
    const last = await ctx.puppet.frame('input_audio_buffer.append', 150, 15_000);
    expect(last).to.exist;
    const appends = ctx.puppet.sent('input_audio_buffer.append');
    const loud = appends.filter((f) => Array.from(atob(f.audio)).some((c) => c !== '\0'));
    expect(loud, 'appends with mic audio while muted').to.have.length(0);
  });

  it('no worker allowed (CSP worker-src none): the main thread runs it, says so once, and it works', async () => {
    ctx.page = await openPage(
      `<meta http-equiv="Content-Security-Policy" content="worker-src 'none'">` + '<script src="/dist/hydra-voice.js"></script>',
      '<hydra-voice></hydra-voice>',
    );
    expect(await converse(ctx.page)).to.equal(1);
    const stats = ctx.page.el.debugStats!;
    expect(stats.thread).to.equal('main');
    expect(stats.workerError).to.match(/worker-src/);
    const notes = ctx.page.win.__warnings.filter((w) => /main thread/.test(w));
    expect(notes).to.have.length(1);
    // A second conversation on the same page does not repeat the note.
    ctx.page.el.stop();
    await connect(ctx.page.el, ctx.puppet, 1);
    expect(ctx.page.win.__warnings.filter((w) => /main thread/.test(w))).to.have.length(1);
  });
});
