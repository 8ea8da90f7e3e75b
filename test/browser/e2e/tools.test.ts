// Tools, end to end: a question that makes the model call two tools in one turn → two
// hydra-tool-call events answered by the page's own code (declared in HTML, answered by a
// document listener) → exactly one response.create on the wire → the narration plays at
// the output. Nothing is stubbed.
import { expect } from '@open-wc/testing';
import { firstSound, frames, openPage, summarize } from './helpers.ts';
import type { E2ePage } from './helpers.ts';
import { say } from '../support/room.ts';

describe('e2e tools', function () {
  this.timeout(30_000);
  let page: E2ePage | undefined;

  afterEach(() => {
    page?.close();
    page = undefined;
  });

  it('two tool calls in one turn → answered by page code → one response.create → narration plays', async () => {
    page = await openPage({}, 'tools.html');
    const p = page;
    p.clickButton();
    const session = await p.waitEvent('hydra-session');
    expect(session.detail.session.tools.map((t: { name: string }) => t.name)).to.deep.equal(['get_weather', 'get_time']);
    await say('question');
    const end = await p.waitEvent('hydra-turn-end');
    // Both calls of that turn, each handled by the page's listener.
    const weather = await p.waitEvent('hydra-tool-call', (r) => r.detail.name === 'get_weather', { from: end.seq });
    const time = await p.waitEvent('hydra-tool-call', (r) => r.detail.name === 'get_time', { from: end.seq });
    expect(weather.detail.arguments).to.deep.equal({ city: 'Paris' });
    expect(time.detail.arguments).to.deep.equal({ city: 'Paris' });
    expect((p.win as any).toolAnswers.map((a: { name: string }) => a.name)).to.deep.equal(['get_weather', 'get_time']);
    // The calls' response ends completed; the narration is a new response, asked for once.
    const callsDone = await p.waitEvent('hydra-response-end', () => true, { from: end.seq });
    expect(callsDone.detail.status).to.equal('completed');
    const narration = await p.waitEvent('hydra-response-start', () => true, { from: callsDone.seq });
    const narrationEnd = await p.waitEvent('hydra-response-end', (r) => r.detail.responseId === narration.detail.responseId, { timeoutMs: 15_000 });
    expect(narrationEnd.detail.status, summarize(p.log)).to.equal('completed');
    // On the wire, for this turn: two function_call_output items, then ONE response.create.
    const turnFrames = p.log.filter((r) => r.seq > end.seq && r.seq < narrationEnd.seq && r.type === 'hydra-frame' && r.detail.direction === 'out');
    const outputs = turnFrames.filter((r) => r.detail.frame.type === 'conversation.item.create' && r.detail.frame.item?.type === 'function_call_output');
    const creates = turnFrames.filter((r) => r.detail.frame.type === 'response.create');
    expect(outputs.map((r) => r.detail.frame.item.call_id).sort()).to.deep.equal([weather.detail.callId, time.detail.callId].sort());
    expect(JSON.parse(outputs.find((r) => r.detail.frame.item.call_id === weather.detail.callId)!.detail.frame.item.output)).to.deep.equal({ city: 'Paris', temperature: 18, sky: 'sunny' });
    expect(creates.length, `response.create frames in the tool turn\n${summarize(p.log)}`).to.equal(1);
    expect(creates[0]!.seq).to.be.greaterThan(Math.max(...outputs.map((r) => r.seq)));
    // Hydra narrated both answers in that one response…
    const created = frames(p, 'in', 'response.created').find((r) => r.detail.frame.response.id === narration.detail.responseId);
    expect(created, 'response.created of the narration on the wire').to.exist;
    // …and the narration reached the speakers.
    const soundAt = await p.waitFor('the narration at the output', () => firstSound(p.tap, narration.ctxTime, 0.01), 10_000);
    expect(soundAt).to.be.below(narrationEnd.ctxTime + 0.5);
    expect(p.events('hydra-error')).to.deep.equal([]);
  });
});
