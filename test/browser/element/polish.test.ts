// Details a new user notices: the icon stays readable on any accent colour, the state does
// not flicker to "listening" between a tool answer and its narration, a muted user hears
// "Speaking · Muted", the idle text assumes no touch screen, nothing animates while idle,
// and the halo follows the sound.
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import { EN } from '../../../src/element/strings.ts';
import { TRANSLATIONS } from '../../../src/element/locales.ts';
import type { Puppet } from '../../support/puppet.ts';
import { connect, exchange, nextState, part, sv, toneDelta, until, usePuppet } from './helpers.ts';

/** A CSS colour as sRGB bytes (painted on a canvas, so any syntax the engine knows works). */
function rgb(color: string): [number, number, number] {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  return [r!, g!, b!];
}

/** WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = rgb(c).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('<hydra-voice> polish', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));

  for (const accent of ['#1e1b4b', '#111827', '#4338ca', '#818cf8', '#fde68a', '#ffffff', '#15803d', '#f472b6']) {
    it(`the icon contrasts with a ${accent} accent (≥ 4.5:1), without --hydra-on-accent`, async () => {
      const el = await fixture<HydraVoiceElement>(html`<hydra-voice style=${`--hydra-accent: ${accent}`}></hydra-voice>`);
      const button = getComputedStyle(part(el, 'button')!);
      expect(contrast(button.color, button.backgroundColor), `${button.color} on ${button.backgroundColor}`).to.be.at.least(4.5);
    });
  }

  it('--hydra-on-accent still wins when set', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice style="--hydra-accent: #111827; --hydra-on-accent: rgb(255, 0, 0)"></hydra-voice>`);
    expect(rgb(getComputedStyle(part(el, 'button')!).color)).to.deep.equal([255, 0, 0]);
  });

  it('stays "thinking" from a tool call until its narration speaks (no flicker to "listening")', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    el.tools = [{ type: 'function', name: 'get_time' }];
    el.addEventListener('hydra-tool-call', (e) => e.detail.respond('12:00'));
    await connect(el, puppet);
    await nextState(el, 'listening');
    const states: string[] = [];
    el.addEventListener('hydra-state', (e) => states.push(e.detail.state));
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'r_tool' } });
    puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: 'r_tool', call_id: 'c1', name: 'get_time', arguments: '{}' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'r_tool', status: 'completed', output: [] } });
    // The narration is asked for (after the outputs' debounce) and, a network round trip
    // later, created and spoken.
    await puppet.frame('response.create');
    await new Promise((r) => setTimeout(r, 300));
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'r_narration' } });
    for (let i = 0; i < 10; i++) {
      puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'r_narration', item_id: 'a', output_index: 0, content_index: 0, delta: toneDelta() });
    }
    await nextState(el, 'speaking');
    expect(states).to.deep.equal(['thinking', 'speaking']);
  });

  it('…and listens again when Hydra refuses the narration request', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    el.tools = [{ type: 'function', name: 'get_time' }];
    el.addEventListener('hydra-tool-call', (e) => e.detail.respond('12:00'));
    await connect(el, puppet);
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'r_tool' } });
    puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: 'r_tool', call_id: 'c1', name: 'get_time', arguments: '{}' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'r_tool', status: 'completed', output: [] } });
    const create = await puppet.frame('response.create');
    await nextState(el, 'thinking');
    puppet.send({ type: 'error', event_id: sv(), error: { type: 'invalid_request_error', code: 'invalid_request_error', message: 'busy', event_id: create.event_id } });
    await nextState(el, 'listening');
  });

  it('muted while the agent speaks says so', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice muted></hydra-voice>`);
    await connect(el, puppet);
    exchange(puppet, 1, { chunks: 40 });
    await nextState(el, 'speaking');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal(`${EN.statusSpeaking} · ${EN.statusMuted}`);
  });

  it('the idle text and labels do not assume a touch screen (or a mouse)', async () => {
    for (const text of [EN.statusIdle, EN.labelStart, ...Object.values(TRANSLATIONS).flatMap((l) => [l[0]!])]) {
      expect(text).to.not.match(/\b(tap|click|touch)/i);
    }
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    expect(part(el, 'status')!.textContent).to.equal(EN.statusIdle);
  });

  it('nothing animates while idle or listening; the halo follows the agent’s voice', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    const running = () => el.shadowRoot!.getAnimations().filter((a) => a.playState === 'running').length;
    expect(running(), 'idle').to.equal(0);
    const halo = part(el, 'visualizer')!;
    expect(getComputedStyle(halo).opacity).to.equal('0');
    el.url = puppet.url;
    void el.start();
    await el.updateComplete;
    expect(running(), 'connecting: the spinner').to.equal(1);
    await connect(el, puppet).catch(() => undefined);
    await nextState(el, 'listening');
    await el.updateComplete;
    expect(running(), 'listening').to.equal(0);
    exchange(puppet, 1, { chunks: 60 });
    await nextState(el, 'speaking');
    await until(() => halo.style.transform !== '' && halo.style.transform !== 'scale(1)', 'the halo to grow with the voice');
    // Page CSS on the button part sees the level.
    expect(Number(getComputedStyle(part(el, 'button')!).getPropertyValue('--hydra-output-level'))).to.be.greaterThan(0);
    expect(running(), 'speaking').to.equal(0);
    el.stop();
    await el.updateComplete;
    expect(running(), 'idle again').to.equal(0);
    expect(getComputedStyle(halo).opacity).to.equal('0');
  });
});
