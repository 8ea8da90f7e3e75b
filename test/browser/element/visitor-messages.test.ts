// Messages for visitors, details for developers: the page shows one short, actionable line
// per kind of problem (no URLs, HTTP codes or voice rosters); `hydra-error` and exactly one
// console.warn per error carry the whole story.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import { EN } from '../../../src/element/strings.ts';
import type { Puppet } from '../../support/puppet.ts';
import { connect, nextState, part, until, usePuppet } from './helpers.ts';

/** Records console.warn calls of a window while `run` goes on. */
async function warnings<T>(win: Window & typeof globalThis, run: () => Promise<T>): Promise<{ result: T; warned: string[] }> {
  const warned: string[] = [];
  const original = win.console.warn;
  win.console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(' '));
  try {
    return { result: await run(), warned };
  } finally {
    win.console.warn = original;
  }
}

/** Visible text of the element's shadow root (what a visitor can read). */
const visibleText = (el: HydraVoiceElement) => (el.shadowRoot as unknown as { innerText?: string }).innerText ?? [...el.shadowRoot!.children].map((c) => (c as HTMLElement).innerText).join(' ');

describe('<hydra-voice> visitor messages', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));

  it('a failing token endpoint: the visitor reads "can’t connect", the developer gets the endpoint and status, once', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice token-endpoint="/__token/status?code=500"></hydra-voice>`);
    const { result: detail, warned } = await warnings(window, async () => {
      const error = oneEvent(el, 'hydra-error');
      void el.start();
      const d = (await error).detail;
      await el.updateComplete;
      return d;
    });
    expect(detail).to.include({ code: 'token_failed', fatal: true });
    expect(detail.message).to.contain('/__token/status').and.contain('500');
    expect(warned).to.have.length(1);
    expect(warned[0]).to.contain('token_failed').and.contain('500');
    const error = part(el, 'error')!;
    expect(error.textContent).to.equal(EN.errorConnect);
    expect(error.getAttribute('role')).to.equal('alert');
    const text = visibleText(el);
    expect(text).to.not.match(/500|__token|http|token/i);
    expect(part(el, 'retry')!.textContent!.trim()).to.equal(EN.retry);
    await expect(el).shadowDom.to.be.accessible();
  });

  it('an unknown voice: the roster goes to the developer, the visitor reads that voice chat is unavailable', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice voice="sterling"></hydra-voice>`);
    el.url = puppet.url;
    const { result: detail, warned } = await warnings(window, async () => {
      const error = oneEvent(el, 'hydra-error');
      void el.start();
      return (await error).detail;
    });
    expect(detail.message).to.contain('zoe').and.contain('hydra-v1.0');
    expect(warned).to.have.length(1);
    await el.updateComplete;
    expect(part(el, 'error')!.textContent).to.equal(EN.errorUnavailable);
    expect(visibleText(el)).to.not.match(/zoe|sterling|hydra/i);
  });

  it('a denied microphone: a short line and a collapsed "how to fix this" disclosure', async () => {
    const frame = document.createElement('iframe');
    frame.setAttribute('allow', "microphone 'none'");
    frame.style.width = '600px';
    frame.style.height = '400px';
    frame.srcdoc = `<script type="module" src="/src/index.ts"></script><hydra-voice></hydra-voice>`;
    document.body.append(frame);
    try {
      await new Promise((r) => frame.addEventListener('load', r, { once: true }));
      const win = frame.contentWindow as Window & typeof globalThis;
      await win.customElements.whenDefined('hydra-voice');
      const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
      el.url = puppet.url;
      const { result: detail, warned } = await warnings(win, async () => {
        const error = oneEvent(el, 'hydra-error');
        void el.start();
        return (await error).detail;
      });
      expect(detail.code).to.equal('mic_denied');
      expect(warned).to.have.length(1);
      await el.updateComplete;
      expect(part(el, 'error')!.textContent).to.equal(EN.errorMicDenied);
      const help = part(el, 'help') as HTMLDetailsElement;
      expect(help.tagName).to.equal('DETAILS');
      expect(help.open).to.equal(false);
      expect(help.querySelector('summary')!.textContent).to.equal(EN.help);
      const collapsed = el.getBoundingClientRect().height;
      help.open = true;
      expect(help.textContent).to.contain(EN.helpMicDenied);
      expect(el.getBoundingClientRect().height).to.be.greaterThan(collapsed);
      expect(collapsed, 'collapsed, the help takes one line').to.be.lessThan(160);
    } finally {
      frame.remove();
    }
  });

  it('compact shows the error as a tooltip the button is described by', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice compact token-endpoint="/__token/status?code=500"></hydra-voice>`);
    const error = oneEvent(el, 'hydra-error');
    void el.start();
    await error;
    await el.updateComplete;
    const button = part(el, 'button')!;
    const tip = part(el, 'tooltip')!;
    expect(tip.getAttribute('role')).to.equal('tooltip');
    expect(tip.textContent).to.equal(EN.errorConnect);
    expect(button.getAttribute('aria-describedby')).to.equal(tip.id);
    expect(getComputedStyle(tip).visibility).to.equal('hidden');
    button.focus();
    await until(() => getComputedStyle(tip).visibility === 'visible', 'the tooltip on focus');
    // The status and the alert stay readable to screen readers; nothing hidden takes focus.
    expect(part(el, 'error')!.getAttribute('role')).to.equal('alert');
    expect(part(el, 'retry')).to.equal(null);
    await expect(el).shadowDom.to.be.accessible();
  });

  it('while reconnecting after a drop the status says so; a developer warning for the drop', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    await nextState(el, 'listening');
    const { warned } = await warnings(window, async () => {
      const lost = oneEvent(el, 'hydra-error');
      puppet.drop();
      await lost;
      await until(() => part(el, 'status')!.textContent === EN.noticeReconnecting, 'the reconnect notice');
    });
    expect(warned.filter((w) => w.includes('connection_lost'))).to.have.length(1);
    await puppet.connection(1);
  });
});
