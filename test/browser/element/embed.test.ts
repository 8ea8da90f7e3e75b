// The shipped classic script on plain pages: with or without type="module", async or not,
// and loaded twice (the second copy warns and steps aside; the element still works).
import { expect } from '@open-wc/testing';
import type { HydraVoiceElement } from '../../../src/index.ts';
import { Puppet } from '../../support/puppet.ts';

async function page(scripts: string, body = '<hydra-voice voice="maya"></hydra-voice>') {
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html><html><head><script>
    window.__warnings = [];
    const warn = console.warn.bind(console);
    console.warn = (...a) => { window.__warnings.push(a.join(' ')); warn(...a); };
  </script>${scripts}</head><body>${body}</body></html>`;
  document.body.append(frame);
  await new Promise((r) => frame.addEventListener('load', r, { once: true }));
  const win = frame.contentWindow as Window & typeof globalThis & { __warnings: string[]; HydraVoice?: unknown };
  await win.customElements.whenDefined('hydra-voice');
  const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
  await el.updateComplete;
  return { frame, win, el };
}

describe('dist/hydra-voice.js on a plain page', () => {
  for (const [label, tag] of [
    ['classic', '<script src="/dist/hydra-voice.js"></script>'],
    ['async', '<script src="/dist/hydra-voice.js" async></script>'],
    ['type=module', '<script type="module" src="/dist/hydra-voice.js"></script>'],
  ] as const) {
    it(`defines <hydra-voice> when loaded as ${label}`, async () => {
      const { frame, win, el } = await page(tag);
      expect(el.shadowRoot!.querySelector('[part~=button]')).to.exist;
      expect(el.getAttribute('state')).to.equal('idle');
      expect(win.__warnings).to.deep.equal([]);
      frame.remove();
    });
  }

  it('exposes window.HydraVoice for script users', async () => {
    const { frame, win } = await page('<script src="/dist/hydra-voice.js"></script>');
    expect(win.HydraVoice).to.have.property('HydraVoiceElement');
    frame.remove();
  });

  it('a second copy warns once and the first definition keeps working', async () => {
    const { frame, win, el } = await page('<script src="/dist/hydra-voice.js"></script><script src="/dist/hydra-voice.js?copy=2"></script>');
    expect(win.__warnings).to.have.length(1);
    expect(win.__warnings[0]).to.contain('already defined');
    el.setAttribute('voice', 'nobody');
    const error = new Promise<CustomEvent>((r) => el.addEventListener('hydra-error', (e) => r(e as CustomEvent), { once: true }));
    void el.start();
    expect((await error).detail.code).to.equal('invalid_config');
    frame.remove();
  });

  it('reads tools from a plain JSON script child', async () => {
    const tools = [{ type: 'function', name: 'get_time' }];
    const { frame, el } = await page(
      '<script src="/dist/hydra-voice.js"></script>',
      `<hydra-voice><script type="application/json">${JSON.stringify(tools)}</script></hydra-voice>`,
    );
    el.innerHTML = '<script type="application/json">[{"type":"function"}]</script>';
    const error = new Promise<CustomEvent>((r) => el.addEventListener('hydra-error', (e) => r(e as CustomEvent), { once: true }));
    void el.start();
    const detail = (await error).detail;
    expect(detail.code).to.equal('invalid_config');
    expect(detail.message).to.contain('tools');
    frame.remove();
  });

  /**
   * Under a CSP without blob: or data:, the mic's audio reaches the socket: the capture
   * worklet runs from a file. A real page file (a srcdoc iframe cannot load worklets under
   * script-src 'self' in Firefox and WebKit; see loader.test.ts).
   */
  async function micRunsFromFile(pageFile: string): Promise<void> {
    const puppet = await Puppet.create();
    const frame = document.createElement('iframe');
    frame.src = new URL(`./pages/${pageFile}`, import.meta.url).href;
    try {
      document.body.append(frame);
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      const win = frame.contentWindow as Window & typeof globalThis;
      await win.customElements.whenDefined('hydra-voice');
      const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
      el.url = puppet.url;
      const errors: string[] = [];
      el.addEventListener('hydra-error', (e) => errors.push((e as CustomEvent).detail.message));
      void el.start();
      await puppet.connection(0);
      puppet.send({ type: 'session.created', event_id: 'sv_w1', session_id: 'sess_w' });
      const configure = await puppet.frame('session.configure');
      puppet.send({ type: 'session.configured', event_id: 'sv_w2', session: configure.session });
      // Mic audio only reaches the socket if the capture worklet from the file is running.
      const append = await puppet.frame('input_audio_buffer.append', 3, 10_000);
      expect(atob(append.audio).length).to.equal(640);
      expect(errors).to.deep.equal([]);
      el.stop();
    } finally {
      frame.remove();
      puppet.dispose();
    }
  }

  it('with worklet-url, the standalone dist/hydra-voice-worklets.js runs the mic under a CSP without blob: or data:', async () => {
    await micRunsFromFile('csp-worklet-url.html');
  });

  it('without worklet-url, the classic script loads hydra-voice-worklets.js from beside itself (no blob: or data: needed)', async () => {
    await micRunsFromFile('csp-worklets-beside.html');
  });

  it('hydra-voice-webrtc.js (the echo route the classic script adds when it needs it) runs beside the script under a strict CSP', async () => {
    const frame = document.createElement('iframe');
    frame.src = new URL('./pages/csp-worklets-beside.html', import.meta.url).href;
    try {
      document.body.append(frame);
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      const win = frame.contentWindow as Window & typeof globalThis & { HydraVoiceWebRtc?: { openWebRtcRoute(ctx: AudioContext): Promise<{ input: AudioNode; close(): void }> } };
      expect(win.HydraVoiceWebRtc, 'not part of hydra-voice.js').to.equal(undefined);
      // What webrtc-route-load.ts does in the classic script: a <script> from beside it.
      const tag = win.document.createElement('script');
      tag.src = '/dist/hydra-voice-webrtc.js';
      await new Promise((resolve, reject) => {
        tag.onload = resolve;
        tag.onerror = () => reject(new Error('refused or missing'));
        win.document.head.append(tag);
      });
      expect(win.HydraVoiceWebRtc?.openWebRtcRoute).to.be.a('function');
      if (typeof win.RTCPeerConnection !== 'function') return; // WebKitGTK without WebRTC: the route is never asked for
      const ctx = new win.AudioContext();
      try {
        await ctx.resume();
        const route = await win.HydraVoiceWebRtc!.openWebRtcRoute(ctx);
        expect(route.input).to.be.instanceOf(win.MediaStreamAudioDestinationNode);
        route.close();
      } finally {
        await ctx.close();
      }
    } finally {
      frame.remove();
    }
  });
});
