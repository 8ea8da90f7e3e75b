// Tool calls against the fx.puppet: batches answered with one output each and exactly one
// response.create after the last, debounce on fake timers, handler timeout and rejection,
// arguments Hydra got wrong, and abandoned responses.
import { expect } from '@open-wc/testing';
import type { HydraSession, ToolCallDetail } from '../../../src/session/index.ts';
import { describe, it, barrier, handshake, harness, microtasks, nextEvent, serverBarrier, sv, puppetFixture } from './helpers.ts';

describe('HydraSession tool calls', () => {
  const fx = puppetFixture();

  async function ready(options: Parameters<typeof harness>[1] = {}) {
    const h = fx.make({ toolTimeoutMs: 1000, responseCreateDebounceMs: 200, keepAliveMs: 60_000, ...options });
    void h.session.start();
    await handshake(fx.puppet, h.session);
    return h;
  }

  const done = (call: string, name: string, args: string, response = 'resp_t') =>
    fx.puppet.send({ type: 'response.function_call_arguments.done', event_id: sv(), response_id: response, call_id: call, name, arguments: args });

  it('two calls in one response: two outputs, then exactly one response.create after the debounce', async () => {
    const { session, timers, of } = await ready();
    const calls: ToolCallDetail[] = [];
    session.addEventListener('tool-call', (e) => calls.push(e.detail));
    fx.puppet.send({ type: 'response.created', event_id: sv(), response: { id: 'resp_t' } });
    fx.puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), response_id: 'resp_t', call_id: 'call_1', name: 'get_weather', delta: '{"city":' });
    fx.puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), response_id: 'resp_t', call_id: 'call_1', delta: '"Paris"}' });
    done('call_1', 'get_weather', '{"city":"Paris"}');
    done('call_2', 'get_time', '{}');
    fx.puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_t', status: 'completed', output: [] } });
    await serverBarrier(fx.puppet, session);
    expect(calls.map((c) => [c.callId, c.name, c.arguments])).to.deep.equal([
      ['call_1', 'get_weather', { city: 'Paris' }],
      ['call_2', 'get_time', {}],
    ]);
    expect(session.state).to.equal('thinking');

    calls[0]!.respond(Promise.resolve({ city: 'Paris', temp_c: 21 }));
    await microtasks();
    timers.advance(10_000); // call_2 never answered in time: its 1000 ms timeout fires
    calls[1]!.respond('12:00'); // after the timeout: ignored
    await barrier(fx.puppet, session);
    const outputs = fx.puppet.sent('conversation.item.create').map((f) => f.item);
    expect(outputs).to.have.length(2);
    // call_2 timed out at 1000 ms (the clock jumped), so its answer is the timeout error.
    expect(outputs[0]).to.deep.equal({ type: 'function_call_output', call_id: 'call_1', output: '{"city":"Paris","temp_c":21}' });
    expect(outputs[1].call_id).to.equal('call_2');
    expect(JSON.parse(outputs[1].output).error).to.match(/get_time.*did not answer within 1000 ms/);
    expect(fx.puppet.sent('response.create')).to.have.length(1);
    expect(of('error').map((e) => e.code)).to.deep.equal(['tool_failed']);
  });

  it('waits for every call of the batch, then debounces response.create', async () => {
    const { session, timers } = await ready({ toolTimeoutMs: 60_000 });
    const calls: ToolCallDetail[] = [];
    session.addEventListener('tool-call', (e) => calls.push(e.detail));
    done('call_a', 'get_weather', '{"city":"Oslo"}');
    done('call_b', 'get_time', '');
    await serverBarrier(fx.puppet, session);
    expect(calls[1]!.arguments).to.deep.equal({}); // empty arguments: no arguments

    calls[1]!.respond({ time: '12:00' });
    await microtasks();
    timers.advance(5_000);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('conversation.item.create')).to.have.length(1);
    expect(fx.puppet.sent('response.create')).to.have.length(0);

    calls[0]!.respond('sunny');
    await microtasks();
    timers.advance(199);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('response.create')).to.have.length(0);
    timers.advance(1);
    await barrier(fx.puppet, session);
    const frames = fx.puppet.sent().map((f) => f.type).filter((t) => t === 'conversation.item.create' || t === 'response.create');
    expect(frames).to.deep.equal(['conversation.item.create', 'conversation.item.create', 'response.create']);
    expect(fx.puppet.sent('conversation.item.create')[1].item.output).to.equal('sunny');
    timers.advance(60_000);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('response.create')).to.have.length(1);
    // The narration was asked for: thinking until Hydra creates it (no flicker to listening).
    expect(session.state).to.equal('thinking');
  });

  it('a new call during the debounce joins the batch (still one response.create)', async () => {
    const { session, timers } = await ready({ toolTimeoutMs: 60_000 });
    session.addEventListener('tool-call', (e) => e.detail.respond('ok'));
    done('call_1', 'a', '{}');
    await serverBarrier(fx.puppet, session);
    await microtasks();
    timers.advance(100);
    done('call_2', 'b', '{}');
    await serverBarrier(fx.puppet, session);
    await microtasks();
    timers.advance(199);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('response.create')).to.have.length(0);
    timers.advance(1);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('conversation.item.create')).to.have.length(2);
    expect(fx.puppet.sent('response.create')).to.have.length(1);
  });

  it('assembles argument deltas per call_id when done carries an empty string', async () => {
    const { session } = await ready();
    const call = nextEvent(session, 'tool-call');
    fx.puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), call_id: 'c1', name: 'get_weather', delta: '{"ci' });
    fx.puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), call_id: 'c2', name: 'other', delta: '{"x":1}' });
    fx.puppet.send({ type: 'response.function_call_arguments.delta', event_id: sv(), call_id: 'c1', delta: 'ty":"Rome"}' });
    done('c1', 'get_weather', '');
    expect((await call).arguments).to.deep.equal({ city: 'Rome' });
  });

  it('a handler that never answers gets an error output after toolTimeoutMs; a late answer is ignored', async () => {
    const { session, timers, of } = await ready({ toolTimeoutMs: 3000 });
    const call = nextEvent(session, 'tool-call');
    done('call_slow', 'slow_tool', '{}');
    const detail = await call;
    timers.advance(2999);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('conversation.item.create')).to.have.length(0);
    timers.advance(1);
    const output = await fx.puppet.frame('conversation.item.create');
    expect(output.item.call_id).to.equal('call_slow');
    expect(JSON.parse(output.item.output)).to.deep.equal({ error: 'Tool "slow_tool" did not answer within 3000 ms.' });
    expect(of('error')).to.deep.equal([{ code: 'tool_failed', message: 'Tool "slow_tool" did not answer within 3000 ms.', fatal: false }]);
    timers.advance(200);
    await fx.puppet.frame('response.create');
    detail.respond('too late');
    await microtasks();
    timers.advance(1000);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('conversation.item.create')).to.have.length(1);
    expect(fx.puppet.sent('response.create')).to.have.length(1);
  });

  it('a rejected handler answers {"error": message} and reports tool_failed', async () => {
    const { session, timers, of } = await ready();
    session.addEventListener('tool-call', (e) => e.detail.respond(Promise.reject(new Error('database offline'))));
    done('call_r', 'lookup', '{"id":1}');
    const output = await fx.puppet.frame('conversation.item.create');
    expect(JSON.parse(output.item.output)).to.deep.equal({ error: 'database offline' });
    expect(of('error')[0]).to.include({ code: 'tool_failed', fatal: false });
    expect(of('error')[0]!.message).to.contain('database offline');
    timers.advance(200);
    await fx.puppet.frame('response.create');
  });

  it('encodes results: strings as-is, values as JSON, undefined as null; answers once', async () => {
    const { session, timers } = await ready();
    const values: unknown[] = ['plain text', 42, [1, 'two'], undefined, { nested: { ok: true } }];
    let i = 0;
    session.addEventListener('tool-call', (e) => {
      e.detail.respond(values[i++]);
      e.detail.respond('second answer is ignored');
    });
    for (let n = 0; n < values.length; n++) done(`c${n}`, 't', '{}');
    await serverBarrier(fx.puppet, session);
    await microtasks();
    timers.advance(200);
    await fx.puppet.frame('response.create');
    expect(fx.puppet.sent('conversation.item.create').map((f) => f.item.output)).to.deep.equal(['plain text', '42', '[1,"two"]', 'null', '{"nested":{"ok":true}}']);
  });

  it('arguments that are not a JSON object: an error output and an error event, no tool-call, no crash', async () => {
    const { session, timers, of } = await ready();
    let called = 0;
    session.addEventListener('tool-call', () => called++);
    done('bad_1', 'get_weather', '{"city":');
    done('bad_2', 'get_weather', '[1,2]');
    await serverBarrier(fx.puppet, session);
    timers.advance(200);
    await fx.puppet.frame('response.create');
    const outputs = fx.puppet.sent('conversation.item.create').map((f) => f.item);
    expect(outputs.map((o) => o.call_id)).to.deep.equal(['bad_1', 'bad_2']);
    for (const o of outputs) expect(JSON.parse(o.output).error).to.match(/not a JSON object/);
    expect(called).to.equal(0);
    expect(of('error').map((e) => [e.code, e.fatal])).to.deep.equal([['tool_failed', false], ['tool_failed', false]]);
    expect(session.state).to.equal('thinking'); // the narration was asked for
  });

  it('no response.create for a response Hydra cancelled, or after tool_response_timeout', async () => {
    const { session, timers } = await ready({ toolTimeoutMs: 60_000 });
    const calls: ToolCallDetail[] = [];
    session.addEventListener('tool-call', (e) => calls.push(e.detail));
    done('c_cancel', 't', '{}', 'resp_x');
    fx.puppet.send({ type: 'response.done', event_id: sv(), response: { id: 'resp_x', status: 'cancelled', status_details: { reason: 'interrupted' } } });
    await serverBarrier(fx.puppet, session);
    calls[0]!.respond('late result');
    await microtasks();
    timers.advance(1000);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('conversation.item.create')).to.have.length(1);
    expect(fx.puppet.sent('response.create')).to.have.length(0);

    done('c_slow', 't', '{}', 'resp_y');
    fx.puppet.send({ type: 'error', event_id: sv(), error: { type: 'x', code: 'tool_response_timeout', message: 'too slow' } });
    await serverBarrier(fx.puppet, session);
    calls[1]!.respond('later still');
    await microtasks();
    timers.advance(1000);
    await barrier(fx.puppet, session);
    expect(fx.puppet.sent('conversation.item.create')).to.have.length(2);
    expect(fx.puppet.sent('response.create')).to.have.length(0);

    // The next turn's tools work normally.
    done('c_ok', 't', '{}', 'resp_z');
    await serverBarrier(fx.puppet, session);
    calls[2]!.respond('fine');
    await microtasks();
    timers.advance(200);
    await fx.puppet.frame('response.create');
  });
});
