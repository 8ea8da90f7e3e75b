// Page instrumentation (conversation-page.ts) for code that runs in a Web Worker: the
// element's engine holds the socket and the worklet ports in its worker, where a script
// injected into the page cannot see them. Every Worker the page creates is started from a
// Blob that first runs PRELUDE (wrapping the worker's WebSocket and MessagePort the way
// conversation-page.ts wraps the page's) and then loads the page's script. The prelude
// reports over the worker's own postMessage with a marker the page-side wrapper consumes,
// so the product never sees these messages. Times cross as epoch milliseconds
// (timeOrigin + now) and come back on the page's performance.now() clock.

/** What the prelude reports. */
export type ProbeRecord =
  | { k: 'in'; data: string; t: number }
  | { k: 'out'; data: string; t: number }
  | { k: 'port'; type: string; frame: number; id?: string; t: number }
  /** The worker posted a reply chunk (`n` samples of response `id`) to the playback worklet. */
  | { k: 'post'; id: string; n: number; t: number }
  /** The worker's event loop ran a 20 ms timer `ms` late (the worker thread was busy or starved). */
  | { k: 'lag'; ms: number; t: number };

const PRELUDE = `(() => {
  const post = (rec) => self.postMessage({ __hvProbe: rec });
  const at = () => performance.timeOrigin + performance.now();
  const wrapOnmessage = (proto, onEvent) => {
    const desc = Object.getOwnPropertyDescriptor(proto, 'onmessage');
    Object.defineProperty(proto, 'onmessage', { ...desc, set(fn) {
      desc.set.call(this, fn && function (ev) { onEvent(ev); return fn.call(this, ev); });
    } });
  };
  wrapOnmessage(WebSocket.prototype, (ev) => { if (typeof ev.data === 'string') post({ k: 'in', data: ev.data, t: at() }); });
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const t = at();
    const r = send.call(this, data);
    if (typeof data === 'string') post({ k: 'out', data, t });
    return r;
  };
  wrapOnmessage(MessagePort.prototype, (ev) => {
    const d = ev.data;
    if (d && (d.type === 'chunk' || d.type === 'underrun' || d.type === 'started') && typeof d.frame === 'number') post({ k: 'port', type: d.type, frame: d.frame, id: d.id, t: at() });
  });
  const portPost = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (m) {
    if (m && m.type === 'chunk' && typeof m.id === 'string' && m.pcm) post({ k: 'post', id: m.id, n: m.pcm.length, t: at() });
    return portPost.apply(this, arguments);
  };
  let beat = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - beat > 60) post({ k: 'lag', ms: now - beat - 20, t: at() });
    beat = now;
  }, 20);
})();
`;

/** Starts every Worker of `win` behind the prelude; `onRecord` gets its reports (times on the page's clock). */
export function installWorkerProbe(win: Window & typeof globalThis, onRecord: (record: ProbeRecord) => void): void {
  const Original = win.Worker;
  const toPage = (epochMs: number) => epochMs - win.performance.timeOrigin;
  win.Worker = class extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      const href = new URL(String(url), win.document.baseURI).href;
      const load = options?.type === 'module' ? `import ${JSON.stringify(href)};` : `importScripts(${JSON.stringify(href)});`;
      const blob = win.URL.createObjectURL(new win.Blob([PRELUDE, load], { type: 'text/javascript' }));
      super(blob, options);
      // Registered before the product's onmessage: probe reports stop here.
      this.addEventListener('message', (e: MessageEvent) => {
        const rec = (e.data as { __hvProbe?: ProbeRecord } | null)?.__hvProbe;
        if (!rec) return;
        e.stopImmediatePropagation();
        onRecord({ ...rec, t: toPage(rec.t) });
      });
    }
  } as typeof Worker;
}
