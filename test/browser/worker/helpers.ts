// Pages for the worker tests: a plain page in an iframe (optionally under a CSP, optionally
// loading the script from the other loopback origin, like a CDN), its console warnings,
// and the puppet handshake for an element on it.
import type { HydraVoiceElement } from '../../../src/index.ts';
import type { Puppet } from '../../support/puppet.ts';

export interface TestPage {
  frame: HTMLIFrameElement;
  win: Window & typeof globalThis & { __warnings: string[] };
  el: HydraVoiceElement;
  close(): void;
}

/** The test server's origin under its other loopback name (localhost ↔ 127.0.0.1): a cross-origin "CDN". */
export function otherOrigin(): string {
  const other = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  return `${location.protocol}//${other}:${location.port}`;
}

/** An iframe with `head` (scripts, a CSP meta) and `body`, console.warn recorded. */
export async function openPage(head: string, body = '<hydra-voice></hydra-voice>'): Promise<TestPage> {
  const frame = document.createElement('iframe');
  frame.allow = 'microphone; autoplay';
  frame.srcdoc = `<!doctype html><html><head>${head}<script>
    window.__warnings = [];
    const warn = console.warn.bind(console);
    console.warn = (...a) => { window.__warnings.push(a.join(' ')); warn(...a); };
  </script></head><body>${body}</body></html>`;
  document.body.append(frame);
  await new Promise((r) => frame.addEventListener('load', r, { once: true }));
  const win = frame.contentWindow as TestPage['win'];
  await win.customElements.whenDefined('hydra-voice');
  const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
  await el.updateComplete;
  return {
    frame,
    win,
    el,
    close: () => {
      try {
        el.stop();
      } finally {
        frame.remove();
      }
    },
  };
}

let n = 0;
const sv = () => `sv_worker_${++n}`;

/** Starts `el` against the puppet and plays Hydra's handshake on connection `conn`. */
export async function connect(el: HydraVoiceElement, puppet: Puppet, conn = 0): Promise<void> {
  el.url = puppet.url;
  const configured = new Promise((r) => el.addEventListener('hydra-session', r, { once: true }));
  void el.start();
  await puppet.connection(conn);
  puppet.send({ type: 'session.created', event_id: sv(), session_id: `sess_${conn}` }, conn);
  const configure = await puppet.frame('session.configure', conn);
  puppet.send({ type: 'session.configured', event_id: sv(), session: configure.session }, conn);
  await configured;
}

/** A 20 ms 440 Hz tone at 48 kHz, base64 PCM16. */
export function toneDelta(ms = 20, amplitude = 8000): string {
  const samples = (48_000 * ms) / 1000;
  const pcm = new Int16Array(samples);
  for (let i = 0; i < samples; i++) pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 48_000));
  let s = '';
  const bytes = new Uint8Array(pcm.buffer);
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}

export { sv };
