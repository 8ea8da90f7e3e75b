// Smoke: the built script on a plain page reaches the simulator through the token endpoint
// and the relay, and Hydra's configuration echo comes back.
import { expect } from '@open-wc/testing';
import type { HydraVoiceElement } from '../../../src/index.ts';

describe('e2e smoke', () => {
  it('connects through token endpoint → relay → simulator', async () => {
    const frame = document.createElement('iframe');
    frame.src = '/test/browser/e2e/pages/embed.html';
    document.body.append(frame);
    await new Promise((r) => frame.addEventListener('load', r, { once: true }));
    const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
    el.setAttribute('voice', 'maya');
    const session = new Promise<CustomEvent>((resolve, reject) => {
      el.addEventListener('hydra-session', (e) => resolve(e as CustomEvent));
      el.addEventListener('hydra-error', (e) => reject(new Error(JSON.stringify((e as CustomEvent).detail))));
    });
    (el.shadowRoot!.querySelector('[part~=button]') as HTMLButtonElement).click();
    const detail = (await session).detail;
    expect(detail.session.voice).to.equal('maya');
    el.stop();
    frame.remove();
  });
});
