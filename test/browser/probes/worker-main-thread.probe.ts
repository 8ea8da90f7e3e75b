// Engine probe (runs only when named: `npm test -- browser probes/`): does a worker's
// WebSocket, and a worker's posts to an AudioWorklet over a transferred MessagePort, keep
// flowing while the page's main thread is frozen? This is why the blocked-page tests are
// skipped in Firefox and WebKitGTK (test/browser/worker/blocked-page.test.ts, README
// "Browser support"). It prints figures; its only assertions are that messages arrived.
import { expect } from '@open-wc/testing';
import { Puppet } from '../../support/puppet.ts';

/** Freezes the page's main thread for `ms`, as a host page's long task would. */
function freeze(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

const longestGap = (t: number[]) => t.reduce((g, x, i) => (i > 0 ? Math.max(g, x - t[i - 1]!) : g), 0);
const blobUrl = (src: string) => URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine probe: a worker while the page is frozen', function () {
  this.timeout(30_000);

  it("the worker's own WebSocket: messages received during a 1 s freeze", async () => {
    const puppet = await Puppet.create();
    // The worker stamps every message with Date.now() (shared with the page) and reports after 5 s.
    const worker = new Worker(
      blobUrl(`onmessage = (e) => { const ws = new WebSocket(e.data); const t = []; ws.onmessage = () => t.push(Date.now()); setTimeout(() => postMessage(t), 5000); };`),
    );
    try {
      const times = new Promise<number[]>((r) => (worker.onmessage = (e) => r(e.data)));
      worker.postMessage(puppet.url);
      await puppet.connection(0);
      puppet.stream(Array.from({ length: 150 }, (_, i) => ({ type: 'probe', i })), 20);
      await sleep(800);
      const from = Date.now();
      freeze(1000);
      const to = Date.now();
      const t = await times;
      const during = t.filter((x) => x > from + 50 && x < to - 50).length;
      console.log(`[probe] worker WebSocket: ${t.length} messages, longest gap ${longestGap(t)} ms, ${during} received during the 1 s freeze`);
      expect(t.length).to.be.above(0);
    } finally {
      worker.terminate();
      puppet.dispose();
    }
  });

  it('worker → AudioWorklet port: longest gap between messages at the worklet across a 1 s freeze', async () => {
    const ctx = new AudioContext();
    await ctx.resume();
    // The worklet stamps every message with the render clock and hands the list back on request.
    await ctx.audioWorklet.addModule(
      blobUrl(
        `registerProcessor('probe-rx', class extends AudioWorkletProcessor { constructor() { super(); this.t = []; this.port.onmessage = (e) => { if (e.data.port) e.data.port.onmessage = () => this.t.push(currentTime); else this.port.postMessage(this.t); }; } process() { return true; } });`,
      ),
    );
    const node = new AudioWorkletNode(ctx, 'probe-rx');
    node.connect(ctx.destination);
    const channel = new MessageChannel();
    node.port.postMessage({ port: channel.port1 }, [channel.port1]);
    const worker = new Worker(blobUrl(`onmessage = (e) => { let n = 0; const id = setInterval(() => { e.data.postMessage(n++); if (n > 200) clearInterval(id); }, 20); };`));
    try {
      worker.postMessage(channel.port2, [channel.port2]);
      await sleep(800);
      freeze(1000);
      await sleep(2000);
      const t = await new Promise<number[]>((r) => {
        node.port.onmessage = (e) => r(e.data);
        node.port.postMessage('report');
      });
      console.log(`[probe] worker → worklet port: ${t.length} messages, longest gap ${longestGap(t.map((x) => x * 1000)).toFixed(0)} ms (render clock)`);
      expect(t.length).to.be.above(0);
    } finally {
      worker.terminate();
      await ctx.close();
    }
  });
});
