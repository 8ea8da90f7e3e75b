// The conversation timeline and the public `history`: user turns with their length from
// Hydra's audio offsets, agent replies with how long they played and "interrupted" on a
// barge-in, tool calls as cards (arguments, the page's answer, how long the page took).
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/index.ts';
import type { HydraHistoryEntry, HydraVoiceElement } from '../../../src/index.ts';
import type { Puppet } from '../../support/puppet.ts';
import { all, connect, exchange, part, sv, toneDelta, until, usePuppet } from './helpers.ts';

const WEATHER = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

function toolCall(puppet: Puppet, response: string, call: string, args = '{"city":"Paris"}') {
  puppet.send({ type: 'response.created', event_id: sv(), response: { id: response } });
  puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: response, call_id: call, name: 'get_weather', arguments: args });
  puppet.send({ type: 'response.done', event_id: sv(), response: { id: response, status: 'completed', output: [] } });
}

const last = <K extends HydraHistoryEntry['kind']>(el: HydraVoiceElement, kind: K) =>
  el.history.filter((e): e is Extract<HydraHistoryEntry, { kind: K }> => e.kind === kind).at(-1);

describe('<hydra-voice> timeline and history', () => {
  let puppet: Puppet;
  usePuppet((p) => (puppet = p));

  it('records a user turn (length from the audio offsets) and the reply (length played)', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice timeline></hydra-voice>`);
    const changes: number[] = [];
    el.addEventListener('hydra-history', (e) => changes.push(e.detail.history.length));
    await connect(el, puppet);
    exchange(puppet, 1, { ms: 1700, chunks: 15 });
    await until(() => last(el, 'agent')?.durationMs !== undefined && last(el, 'agent')?.status === 'completed', 'the reply to finish playing');
    const [user, agent] = el.history;
    expect(user).to.include({ kind: 'user', itemId: 'u1', audioStartMs: 1000, audioEndMs: 2700, durationMs: 1700 });
    expect(agent).to.include({ kind: 'agent', responseId: 'r1', status: 'completed', interrupted: false });
    // 15 chunks of 20 ms were sent; all of them played.
    expect((agent as { durationMs: number }).durationMs).to.be.within(290, 310);
    expect(changes.length).to.be.at.least(4);

    await el.updateComplete;
    const entries = all(el, '[part~=entry]');
    expect(entries.map((e) => e.getAttribute('part'))).to.deep.equal(['entry user', 'entry agent']);
    expect(entries[0]!.textContent).to.contain('You').and.contain('1.7');
    expect(entries[1]!.textContent).to.contain('Agent');
    expect(part(el, 'timeline')!.getAttribute('aria-label')).to.equal('Conversation');
  });

  it('a reply the user talks over is marked interrupted, with the length that played', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice timeline></hydra-voice>`);
    await connect(el, puppet);
    puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'r_long' } });
    for (let i = 0; i < 100; i++) {
      puppet.send({ type: 'response.output_audio.delta', event_id: sv(), response_id: 'r_long', item_id: 'a', output_index: 0, content_index: 0, delta: toneDelta() });
    }
    await until(() => last(el, 'agent') !== undefined, 'the reply to be heard');
    puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), item_id: 'u_barge', audio_start_ms: 5000 });
    puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'r_long', status: 'cancelled', status_details: { type: 'cancelled', reason: 'interrupted' } } });
    await until(() => last(el, 'agent')?.interrupted === true && last(el, 'agent')?.durationMs !== undefined, 'the cut reply');
    const agent = last(el, 'agent')!;
    expect(agent.durationMs!).to.be.greaterThan(0).and.lessThan(2000);
    await el.updateComplete;
    expect(all(el, '[part~=agent]').at(-1)!.textContent).to.contain('interrupted');
  });

  it('a tool call is a card with its arguments, the page’s answer and how long the page took', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice timeline></hydra-voice>`);
    el.tools = [WEATHER];
    el.addEventListener('hydra-tool-call', (e) => e.detail.respond(new Promise((r) => setTimeout(() => r({ temp_c: 21 }), 80))));
    await connect(el, puppet);
    toolCall(puppet, 'r_t', 'call_1');
    await until(() => last(el, 'tool')?.status === 'answered', 'the answer');
    const tool = last(el, 'tool')!;
    expect(tool).to.deep.include({ callId: 'call_1', name: 'get_weather', arguments: { city: 'Paris' }, result: { temp_c: 21 } });
    expect(tool.tookMs).to.be.at.least(79);
    // A response that only called a tool made no sound: no agent entry for it.
    expect(el.history.filter((e) => e.kind === 'agent')).to.deep.equal([]);
    await el.updateComplete;
    const card = all(el, '[part~=tool]')[0]!;
    expect(card.textContent).to.contain('get_weather').and.contain('{"city":"Paris"}').and.contain('{"temp_c":21}');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('a declined call and a failing handler are failed cards; an unanswered one says so after the tool timeout', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice timeline tool-timeout="300"></hydra-voice>`);
    el.tools = [WEATHER];
    el.addEventListener('hydra-tool-call', (e) => {
      if (e.detail.callId === 'c_decline') e.preventDefault();
      if (e.detail.callId === 'c_fail') e.detail.respond(Promise.reject(new Error('weather service down')));
    });
    await connect(el, puppet);
    toolCall(puppet, 'r1', 'c_decline');
    toolCall(puppet, 'r2', 'c_fail');
    toolCall(puppet, 'r3', 'c_silent');
    await until(() => el.history.filter((e) => e.kind === 'tool' && e.status !== 'pending').length === 3, 'three settled calls');
    const byId = Object.fromEntries(el.history.map((e) => [(e as { callId: string }).callId, e])) as Record<string, any>;
    expect(byId.c_decline.status).to.equal('failed');
    expect(byId.c_decline.error).to.contain('declined');
    expect(byId.c_fail).to.include({ status: 'failed', error: 'weather service down' });
    expect(byId.c_silent.status).to.equal('unanswered');
    await el.updateComplete;
    expect(all(el, '[part~=tool]')[2]!.textContent).to.contain('no answer');
    expect(all(el, 'code.failed')).to.have.length(2);
  });

  it('history is read-only and frozen, survives stop() and is cleared by the next start()', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    await connect(el, puppet);
    exchange(puppet, 1);
    await until(() => el.history.length === 2, 'two entries');
    const history = el.history;
    expect(Object.isFrozen(history)).to.equal(true);
    expect(Object.isFrozen(history[0])).to.equal(true);
    expect(() => (history as HydraHistoryEntry[]).push(history[0]!)).to.throw();
    expect(() => ((el as any).history = [])).to.throw();
    el.stop();
    expect(el.history.length).to.equal(2);
    const cleared = oneEvent(el, 'hydra-history');
    await connect(el, puppet, 1);
    expect((await cleared).detail.history).to.deep.equal([]);
  });
});
