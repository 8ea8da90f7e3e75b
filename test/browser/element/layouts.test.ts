// The two layouts: `inline` (the control in the page's flow) and `floating` (a launcher in
// a corner that opens a panel with status, visualizer, timeline, controls, End call and a
// call timer). Keyboard and screen-reader paths, and axe audits of every new piece.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import type { Puppet } from '../../support/puppet.ts';
import { connect, exchange, nextState, part, until, usePuppet } from './helpers.ts';

/** The element focused inside the shadow root (or the host's own activeElement chain). */
const focused = (el: HydraVoiceElement) => el.shadowRoot!.activeElement as HTMLElement | null;

describe('<hydra-voice> layouts', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));

  it('inline is the default: the button and status in the flow, no launcher or panel', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    expect(getComputedStyle(el).position).to.equal('static');
    expect(part(el, 'button')).to.exist;
    expect(part(el, 'launcher')).to.equal(null);
    expect(part(el, 'panel')).to.equal(null);
  });

  it('floating: a launcher fixed to the chosen corner; the panel opens with focus inside and closes with Escape', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice layout="floating"></hydra-voice>`);
    const style = getComputedStyle(el);
    expect(style.position).to.equal('fixed');
    const box = el.getBoundingClientRect();
    expect(innerWidth - box.right).to.be.within(8, 40);
    expect(innerHeight - box.bottom).to.be.within(8, 40);
    const launcher = part(el, 'launcher')!;
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    expect(launcher.getAttribute('aria-controls')).to.equal('panel');
    expect(part(el, 'panel')!.hidden).to.equal(true);
    await expect(el).shadowDom.to.be.accessible();

    launcher.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => el.open && focused(el) === part(el, 'button'), 'focus on the panel’s button');
    expect(launcher.getAttribute('aria-expanded')).to.equal('true');
    expect(el.hasAttribute('open')).to.equal(true);
    const panel = part(el, 'panel')!;
    expect(panel.hidden).to.equal(false);
    expect(panel.getAttribute('role')).to.equal('dialog');
    expect(el.shadowRoot!.getElementById(panel.getAttribute('aria-labelledby')!)!.textContent).to.equal('Voice assistant');
    await expect(el).shadowDom.to.be.accessible();

    await sendKeys({ press: 'Escape' });
    await until(() => !el.open && focused(el) === launcher, 'focus back on the launcher');
    expect(panel.hidden).to.equal(true);
  });

  it('position moves the launcher to another corner (and the panel with it)', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice layout="floating" position="top-left" open></hydra-voice>`);
    const box = el.getBoundingClientRect();
    expect(box.left).to.be.within(8, 40);
    expect(box.top).to.be.within(8, 40);
    const panel = part(el, 'panel')!.getBoundingClientRect();
    expect(panel.top).to.be.greaterThan(box.bottom - 1);
    expect(panel.left).to.be.within(box.left - 1, box.left + 1);
  });

  it('the close button closes the panel; the conversation goes on', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice layout="floating" open></hydra-voice>`);
    await connect(el, puppet);
    await nextState(el, 'listening');
    part(el, 'close')!.click();
    await until(() => !el.open, 'the panel to close');
    expect(el.state).to.equal('listening');
    expect(puppet.events.some((e) => e.ev === 'close')).to.equal(false);
  });

  it('a call that fails while the panel is closed opens it, so the visitor reads why', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice layout="floating" open></hydra-voice>`);
    await connect(el, puppet);
    part(el, 'close')!.click();
    await until(() => !el.open, 'the panel to close');
    // The relay refuses the page's origin: nothing a reconnect can fix.
    puppet.close(4003, 'origin');
    await nextState(el, 'error');
    await until(() => el.open && !part(el, 'panel')!.hidden, 'the panel to open');
    expect(part(el, 'error')!.textContent).to.equal('Can’t connect right now. Please try again.');
  });

  it('during a call the panel shows a ticking call timer, the controls, the timeline and End call', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice layout="floating" open></hydra-voice>`);
    await connect(el, puppet);
    await nextState(el, 'listening');
    await el.updateComplete;
    const timer = part(el, 'timer')!;
    expect(timer.getAttribute('role')).to.equal('timer');
    // Its name says the time; what it shows (minutes, and a strip of 00…59 moved by an
    // animation) is hidden from assistive technology.
    expect(timer.getAttribute('aria-label')).to.match(/^Call time 0:0\d$/);
    expect(timer.firstElementChild!.getAttribute('aria-hidden')).to.equal('true');
    const shown = () => {
      // The strip's line inside the clipped box: what a sighted user sees.
      const box = timer.querySelector('.sec')!.getBoundingClientRect();
      const strip = timer.querySelector('.sec > span')!.getBoundingClientRect();
      const line = Math.round((box.top - strip.top) / box.height);
      return `${timer.querySelector('.sec')!.previousSibling!.textContent}${String(line).padStart(2, '0')}`;
    };
    const first = timer.getAttribute('aria-label');
    expect(`Call time ${shown()}`).to.equal(first);
    await until(() => part(el, 'timer')!.getAttribute('aria-label') !== first, 'the timer to tick', 10_000);
    await until(() => `Call time ${shown()}` === part(el, 'timer')!.getAttribute('aria-label'), 'the strip to show the same second', 2_000);
    for (const name of ['controls', 'mute', 'speaker-mute', 'volume', 'end']) expect(part(el, name), name).to.exist;
    expect(part(el, 'end')!.textContent!.trim()).to.equal('End call');

    exchange(puppet, 1);
    await until(() => el.history.length >= 2 && part(el, 'timeline') !== null, 'the timeline');
    await nextState(el, 'speaking');
    await expect(el).shadowDom.to.be.accessible();

    part(el, 'end')!.click();
    expect(el.state).to.equal('idle');
    await puppet.waitFor((e) => e.ev === 'close');
    await el.updateComplete;
    expect(part(el, 'timer')).to.equal(null);
    expect(part(el, 'end')).to.equal(null);
  });

  it('inline with `timeline` shows the timeline below the control; without it, none', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice timeline></hydra-voice>`);
    await connect(el, puppet);
    exchange(puppet, 1);
    await until(() => part(el, 'timeline') !== null, 'the timeline');
    const control = part(el, 'button')!.getBoundingClientRect();
    expect(part(el, 'timeline')!.getBoundingClientRect().top).to.be.at.least(control.bottom - 1);
    await expect(el).shadowDom.to.be.accessible();
    el.timeline = false;
    await el.updateComplete;
    expect(part(el, 'timeline')).to.equal(null);
    expect(el.history.length).to.be.at.least(1);
  });

  it('inline controls have targets of at least 24×24 px and a mute toggle that keeps its width', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    await el.updateComplete;
    for (const button of [...el.shadowRoot!.querySelectorAll<HTMLElement>('button, input, select, summary')]) {
      const r = button.getBoundingClientRect();
      expect(r.width, `${button.getAttribute('part')} width`).to.be.at.least(24);
      expect(r.height, `${button.getAttribute('part')} height`).to.be.at.least(24);
    }
    const mute = part(el, 'mute')!;
    const before = mute.getBoundingClientRect().width;
    expect(mute.getAttribute('aria-pressed')).to.equal('false');
    mute.click();
    await el.updateComplete;
    expect(el.muted).to.equal(true);
    expect(mute.getAttribute('aria-pressed')).to.equal('true');
    expect(mute.getAttribute('aria-label')).to.equal('Mute microphone');
    expect(mute.getBoundingClientRect().width).to.equal(before);
    await expect(el).shadowDom.to.be.accessible();
  });
});
