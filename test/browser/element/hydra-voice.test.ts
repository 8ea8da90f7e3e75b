// <hydra-voice> in real browsers: attributes → the configure frame Hydra receives, events
// with their details, reflected state, tool calls answered from DOM events, errors that
// leave a usable UI, lifecycle (twice on a page, removed and re-added), accessibility.
// The server is the scripted puppet WebSocket server; the mic is the engine's PulseAudio room.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/index.ts';
import type { HydraVoiceElement } from '../../../src/index.ts';
import { Puppet } from '../../support/puppet.ts';
import { connect, nextState, part, sv, toneDelta, usePuppet } from './helpers.ts';

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('<hydra-voice>', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));

  it('is defined once and renders an idle, labelled button', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    expect(customElements.get('hydra-voice')).to.equal(el.constructor);
    expect(el.getAttribute('state')).to.equal('idle');
    const button = part(el, 'button')!;
    expect(button.tagName).to.equal('BUTTON');
    expect(button.getAttribute('aria-pressed')).to.equal('false');
    expect(button.getAttribute('aria-label')).to.equal('Start voice conversation');
    expect(part(el, 'status')!.getAttribute('aria-live')).to.equal('polite');
    expect(part(el, 'visualizer')).to.exist;
  });

  it('sends the attributes as the one session.configure, with only known keys', async () => {
    const el = await fixture<HydraVoiceElement>(html`
      <hydra-voice model="hydra-v1.0" voice="brooks" persona="You are a test persona." speaks-first>
        <script type="application/json" data-tools>${JSON.stringify([WEATHER_TOOL])}</script>
      </hydra-voice>
    `);
    const configure = await connect(el, puppet);
    expect(configure.session).to.deep.equal({
      instructions: 'You are a test persona.',
      voice: 'brooks',
      tools: [WEATHER_TOOL],
      generate_initial_response: true,
    });
    expect(configure.event_id).to.be.a('string').and.not.empty;
    const open = puppet.events.find((e) => e.ev === 'open') as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('model')).to.equal('hydra-v1.0');
    expect(puppet.sent('session.configure')).to.have.length(1);
  });

  it('removing an attribute restores its default', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice model="hydra-v1.0" voice="vaughn" persona="x"></hydra-voice>`);
    el.removeAttribute('model');
    el.removeAttribute('voice');
    el.removeAttribute('persona');
    const configure = await connect(el, puppet);
    expect(configure.session).to.deep.equal({});
    const open = puppet.events.find((e) => e.ev === 'open') as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('model')).to.equal('hydra-v1.1');
  });

  it('reflects state and fires state, turn and response events with their details', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    const states: string[] = [];
    el.addEventListener('hydra-state', (e) => states.push(e.detail.state));
    await connect(el, puppet);
    await nextState(el, 'listening');
    expect(el.getAttribute('state')).to.equal('listening');
    expect(part(el, 'button')!.getAttribute('aria-pressed')).to.equal('true');

    const turnStart = oneEvent(el, 'hydra-turn-start');
    puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), item_id: 'item_u1', audio_start_ms: 1200 });
    expect((await turnStart).detail).to.deep.equal({ itemId: 'item_u1', audioStartMs: 1200 });
    await nextState(el, 'user-speaking');

    const turnEnd = oneEvent(el, 'hydra-turn-end');
    puppet.send({ type: 'input_audio_buffer.speech_stopped', event_id: sv(), item_id: 'item_u1', audio_end_ms: 2900 });
    expect((await turnEnd).detail).to.deep.equal({ itemId: 'item_u1', audioEndMs: 2900 });

    const responseStart = oneEvent(el, 'hydra-response-start');
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_1', status: 'in_progress' } });
    expect((await responseStart).detail).to.deep.equal({ responseId: 'resp_1' });

    for (let i = 0; i < 10; i++) {
      puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0, delta: toneDelta() });
    }
    await nextState(el, 'speaking');
    puppet.send({ type: 'response.output_audio.done', event_id: sv(), response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0 });
    const responseEnd = oneEvent(el, 'hydra-response-end');
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_1', status: 'completed', status_details: null, output: [], usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 } } });
    const end = (await responseEnd).detail;
    expect(end.responseId).to.equal('resp_1');
    expect(end.status).to.equal('completed');
    // Once the 200 ms of reply audio has played out, the element listens again.
    await nextState(el, 'listening');
    expect(states.slice(0, 3)).to.deep.equal(['connecting', 'listening', 'user-speaking']);
    expect(states).to.include('speaking');
  });

  it('answers two tool calls from DOM events with two outputs and one response.create', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    el.tools = [WEATHER_TOOL, { type: 'function' as const, name: 'get_time', parameters: { type: 'object', properties: {} } }];
    const calls: string[] = [];
    el.addEventListener('hydra-tool-call', (e) => {
      calls.push(e.detail.name);
      if (e.detail.name === 'get_weather') e.detail.respond(Promise.resolve({ city: e.detail.arguments.city, temp_c: 21 }));
      else e.detail.respond('12:00');
    });
    await connect(el, puppet);
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_t', status: 'in_progress' } });
    puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), response_id: 'resp_t', call_id: 'call_1', name: 'get_weather', delta: '{"city":' });
    puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), response_id: 'resp_t', call_id: 'call_1', delta: '"Paris"}' });
    puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: 'resp_t', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' });
    puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: 'resp_t', call_id: 'call_2', name: 'get_time', arguments: '{}' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_t', status: 'completed', output: [] } });

    await puppet.frame('response.create');
    const outputs = puppet.sent('conversation.item.create').map((f) => f.item);
    expect(calls).to.deep.equal(['get_weather', 'get_time']);
    expect(outputs).to.have.length(2);
    const byCall = Object.fromEntries(outputs.map((i) => [i.call_id, i]));
    expect(byCall.call_1).to.include({ type: 'function_call_output' });
    expect(JSON.parse(byCall.call_1.output)).to.deep.equal({ city: 'Paris', temp_c: 21 });
    expect(byCall.call_2.output).to.equal('12:00');
    // Give a second response.create a chance to (wrongly) appear.
    await new Promise((r) => setTimeout(r, 600));
    expect(puppet.sent('response.create')).to.have.length(1);
  });

  it('a declined tool call (preventDefault) answers the model with an error output', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    el.tools = [WEATHER_TOOL];
    el.addEventListener('hydra-tool-call', (e) => e.preventDefault());
    await connect(el, puppet);
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_d' } });
    puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: 'resp_d', call_id: 'call_d', name: 'get_weather', arguments: '{"city":"Oslo"}' });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_d', status: 'completed', output: [] } });
    const created = await puppet.frame('conversation.item.create');
    expect(created.item.call_id).to.equal('call_d');
    expect(JSON.parse(created.item.output).error).to.match(/declined/);
    await puppet.frame('response.create');
  });

  it('sends session.update when tools change mid-session', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    el.tools = [WEATHER_TOOL];
    const update = await puppet.frame('session.update');
    expect(update.session).to.deep.equal({ tools: [WEATHER_TOOL] });
  });

  it('muted is reflected and streams silence instead of the mic', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    el.muted = true;
    await el.updateComplete;
    expect(el.hasAttribute('muted')).to.be.true;
    const before = puppet.sent('input_audio_buffer.append').length;
    const frame = await puppet.frame('input_audio_buffer.append', before + 5);
    const bytes = Uint8Array.from(atob(frame.audio), (c) => c.charCodeAt(0));
    expect(bytes.length).to.be.greaterThan(0);
    expect(bytes.every((b) => b === 0)).to.be.true;
    expect(part(el, 'status')!.textContent).to.equal('Muted');
  });

  it('an unknown voice is a hydra-error before any connection, and the UI offers a retry', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice voice="sterling"></hydra-voice>`);
    el.url = puppet.url;
    const error = oneEvent(el, 'hydra-error');
    void el.start();
    const detail = (await error).detail;
    expect(detail.code).to.equal('invalid_config');
    expect(detail.fatal).to.be.true;
    expect(detail.message).to.contain('sterling').and.contain('hydra-v1.1');
    expect(el.state).to.equal('error');
    await el.updateComplete;
    // The visitor reads a short line; the roster is for the developer (hydra-error, console).
    expect(part(el, 'error')!.textContent).to.equal('Voice chat is not available right now.');
    expect(part(el, 'retry')).to.exist;
    expect(puppet.connections()).to.equal(0);
    await expect(el).shadowDom.to.be.accessible();
  });

  it('a failing token endpoint is a clear hydra-error, and retry asks again', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice token-endpoint="/__token/status?code=500"></hydra-voice>`);
    const hitsBefore = await tokenHits('/__token/status');
    const error = oneEvent(el, 'hydra-error');
    void el.start();
    const detail = (await error).detail;
    expect(detail.code).to.equal('token_failed');
    expect(detail.message).to.contain('500');
    await el.updateComplete;
    const retried = oneEvent(el, 'hydra-error');
    part(el, 'retry')!.click();
    await retried;
    expect(await tokenHits('/__token/status')).to.equal(hitsBefore + 2);
  });

  it('connects with the token endpoint’s token and URL', async () => {
    const el = await fixture<HydraVoiceElement>(
      html`<hydra-voice token-endpoint=${`/__token/ok?url=${encodeURIComponent(puppet.url)}`}></hydra-voice>`,
    );
    void el.start();
    const open = (await puppet.connection(0)) as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('api_key')).to.equal('test-token');
  });

  it('a denied microphone is a hydra-error that says how to re-enable it', async () => {
    // A real denial: the page's iframe is not allowed to use the microphone.
    const frame = document.createElement('iframe');
    frame.setAttribute('allow', "microphone 'none'");
    frame.srcdoc = `<script type="module" src="/src/index.ts"></script><hydra-voice></hydra-voice>`;
    document.body.append(frame);
    await new Promise((r) => frame.addEventListener('load', r, { once: true }));
    const win = frame.contentWindow as Window & typeof globalThis;
    await win.customElements.whenDefined('hydra-voice');
    const el = frame.contentDocument!.querySelector('hydra-voice') as HydraVoiceElement;
    el.url = puppet.url;
    const error = oneEvent(el, 'hydra-error');
    void el.start();
    const detail = (await error).detail;
    frame.remove();
    expect(detail.code).to.equal('mic_denied');
    expect(detail.fatal).to.be.true;
    expect(detail.message.toLowerCase()).to.match(/allow|settings|permission/);
  });

  it('works twice on one page, each with its own session', async () => {
    const other = await Puppet.create();
    try {
      const wrap = await fixture(html`<div><hydra-voice voice="zoe"></hydra-voice><hydra-voice voice="leo"></hydra-voice></div>`);
      const [a, b] = [...wrap.querySelectorAll('hydra-voice')] as HydraVoiceElement[];
      const [ca, cb] = await Promise.all([connect(a!, puppet), connect(b!, other)]);
      expect(ca.session.voice).to.equal('zoe');
      expect(cb.session.voice).to.equal('leo');
      await Promise.all([nextState(a!, 'listening'), nextState(b!, 'listening')]);
    } finally {
      other.dispose();
    }
  });

  it('removing the element ends the conversation; re-adding it starts cleanly', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    const parent = el.parentElement!;
    el.remove();
    const closed = await puppet.waitFor((e) => e.ev === 'close' && e.conn === 0);
    expect(closed).to.exist;
    expect(el.state).to.equal('idle');
    parent.append(el);
    await connect(el, puppet, 1);
    await nextState(el, 'listening');
  });

  it('is usable from the keyboard and passes an axe audit', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await expect(el).shadowDom.to.be.accessible();
    el.url = puppet.url;
    part(el, 'button')!.focus();
    await sendKeys({ press: 'Enter' });
    await puppet.connection(0);
    expect(el.state).to.equal('connecting');
    await sendKeys({ press: ' ' }); // the space bar (Firefox's BiDi keyboard has no key named 'Space')
    await nextState(el, 'idle');
  });
});

async function tokenHits(path: string): Promise<number> {
  const hits = await (await fetch('/__token/hits')).json();
  return hits[path] ?? 0;
}
