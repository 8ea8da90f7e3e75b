import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pcm16ToBase64 } from '../../../src/protocol/index.ts';
import { listenSimulator, type ListeningSimulator } from '../../../src/server/simulator/index.ts';
import { FAST, silence, speechFixture, TestClient } from './helpers.ts';

let sim: ListeningSimulator;
before(async () => {
  sim = await listenSimulator({ ...FAST });
});
after(() => sim.close());

describe('invalid frames (the session continues)', () => {
  it('malformed JSON, non-objects, unknown types, bad fields and binary frames → invalid_frame', async () => {
    const c = await TestClient.configured(sim.url, {});
    const mark = c.frames.length;
    c.ws.send('{"type": "session.update", ');
    c.ws.send('[1,2]');
    c.send({ type: 'input_audio_buffer.commit', event_id: 'cl_unknown' });
    c.send({ type: 'input_audio_buffer.append', event_id: 'cl_fields', audio: 5 });
    c.send({ event_id: 'cl_notype' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send({ type: 'response.cancel', event_id: 'cl_alive' }); // no answer; then a real change:
    c.send({ type: 'session.update', session: { tools: [{ type: 'function', name: 'alive' }] } });
    await c.waitFor('session.updated', { from: mark });
    const errors = c.frames.slice(mark).filter((f) => f.type === 'error');
    assert.deepEqual(errors.map((e) => e.error.code), Array(6).fill('invalid_frame'));
    assert.deepEqual(errors.map((e) => e.error.event_id), [undefined, undefined, 'cl_unknown', 'cl_fields', 'cl_notype', undefined]);
    for (const e of errors) {
      assert.equal(typeof e.error.message, 'string');
      assert.match(e.event_id, /^sv_/);
    }
    c.close();
  });

  it('an oversized frame → invalid_frame', async () => {
    const small = await listenSimulator({ ...FAST, maxFrameBytes: 4096 });
    try {
      const c = await TestClient.configured(small.url, {});
      c.send({ type: 'input_audio_buffer.append', event_id: 'cl_big', audio: 'A'.repeat(8000) });
      const err = await c.waitFor('error');
      assert.equal(err.error.code, 'invalid_frame');
      assert.match(err.error.message, /exceeds/);
      c.close();
    } finally {
      await small.close();
    }
  });
});

describe('invalid audio', () => {
  it('bad base64, an odd byte count, or a chunk under 10 ms → invalid_audio with the frame event_id; good audio still works', async () => {
    const fx = await speechFixture();
    const c = await TestClient.configured(sim.url, {});
    c.send({ type: 'input_audio_buffer.append', event_id: 'cl_b64', audio: 'not*base64' });
    c.send({ type: 'input_audio_buffer.append', event_id: 'cl_odd', audio: Buffer.alloc(641).toString('base64') });
    c.send({ type: 'input_audio_buffer.append', event_id: 'cl_tiny', audio: pcm16ToBase64(new Int16Array(80)) });
    c.send({ type: 'input_audio_buffer.append', event_id: 'cl_ok', audio: pcm16ToBase64(new Int16Array(160)) }); // exactly 10 ms: fine
    c.sendAudio(fx.pcm);
    await c.waitFor('response.done');
    const errors = c.frames.filter((f) => f.type === 'error');
    assert.deepEqual(errors.map((e) => [e.error.code, e.error.event_id]), [
      ['invalid_audio', 'cl_b64'],
      ['invalid_audio', 'cl_odd'],
      ['invalid_audio', 'cl_tiny'],
    ]);
    assert.match(errors[0]!.error.message, /base64/);
    assert.match(errors[1]!.error.message, /odd/);
    c.close();
  });
});

describe('requests that do not fit the state', () => {
  it('response.create with nothing pending makes a reply; during a reply it is an invalid_request_error', async () => {
    const c = await TestClient.configured(sim.url, {});
    c.send({ type: 'response.create', event_id: 'cl_rc1' });
    c.send({ type: 'response.create', event_id: 'cl_rc2' });
    const done = await c.waitFor('response.done');
    assert.equal(done.response.status, 'completed');
    const err = await c.waitFor('error');
    assert.equal(err.error.code, 'invalid_request_error');
    assert.equal(err.error.event_id, 'cl_rc2');
    assert.equal(c.frames.filter((f) => f.type === 'response.created').length, 1);
    c.close();
  });

  it('response.create before session.configure → invalid_request_error', async () => {
    const c = await TestClient.connect(sim.url);
    await c.waitFor('session.created');
    c.send({ type: 'response.create', event_id: 'cl_rc' });
    assert.equal((await c.waitFor('error')).error.code, 'invalid_request_error');
    c.close();
  });
});

describe('internal_error (injected)', () => {
  it('fails the response (response.done failed + error internal_error) and the next turn works', async () => {
    const fx = await speechFixture();
    const faulty = await listenSimulator({ ...FAST, faults: { failResponse: ({ responseIndex }) => responseIndex === 1 } });
    try {
      const c = await TestClient.configured(faulty.url, {});
      c.sendAudio(fx.pcm);
      const failed = await c.waitFor('response.done');
      assert.equal(failed.response.status, 'failed');
      assert.equal(failed.response.status_details.error.code, 'internal_error');
      assert.equal(failed.response.output[0].status, 'incomplete');
      const err = await c.waitFor('error');
      assert.equal(err.error.code, 'internal_error');
      assert.ok(!c.frames.some((f) => f.type === 'response.output_audio.delta'));
      const mark = c.frames.length;
      c.sendAudio(fx.pcm);
      const ok = await c.waitFor('response.done', { from: mark });
      assert.equal(ok.response.status, 'completed');
      c.close();
    } finally {
      await faulty.close();
    }
  });
});

describe('limits and closes', () => {
  it('idle: closes 1000 after idleTimeoutMs with no frame either way; traffic keeps it open', async () => {
    const idle = await listenSimulator({ ...FAST, idleTimeoutMs: 300 });
    try {
      const c = await TestClient.configured(idle.url, {});
      let closedEarly = false;
      void c.closed.then(() => (closedEarly = true));
      for (let i = 0; i < 6; i++) {
        await new Promise((r) => setTimeout(r, 100));
        c.sendAudio(silence(20)); // silence frames count as traffic
      }
      assert.equal(closedEarly, false, 'stayed open while audio flowed');
      const { code } = await c.closed;
      assert.equal(code, 1000);
      assert.equal(idle.sessionCount(), 0);
    } finally {
      await idle.close();
    }
  });

  it('idleTimeoutMs Infinity and toolResponseWindowMs Infinity disable those timers (no overflow firing)', async () => {
    const fx = await speechFixture();
    const s = await listenSimulator({ ...FAST, idleTimeoutMs: Infinity, toolResponseWindowMs: Infinity });
    try {
      const c = await TestClient.configured(s.url, { instructions: '[call:t]', tools: [{ type: 'function', name: 't' }] });
      c.sendAudio(fx.pcm);
      await c.waitFor('response.done');
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(!c.types().includes('error'));
      assert.equal(s.sessionCount(), 1);
      c.close();
    } finally {
      await s.close();
    }
  });

  it('over maxSessions: error server_full, then close 1013; existing sessions are unaffected', async () => {
    const capped = await listenSimulator({ ...FAST, maxSessions: 1 });
    try {
      const first = await TestClient.configured(capped.url, {});
      const second = await TestClient.connect(capped.url);
      const { code } = await second.closed;
      assert.equal(code, 1013);
      assert.deepEqual(second.types(), ['error']);
      assert.equal(second.frames[0]!.error.code, 'server_full');
      assert.match(second.frames[0]!.event_id, /^sv_/);
      assert.equal(capped.sessionCount(), 1);
      first.send({ type: 'session.update', session: { tools: [{ type: 'function', name: 'x' }] } });
      await first.waitFor('session.updated');
      first.close();
      await first.closed;
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(capped.sessionCount(), 0);
      const third = await TestClient.connect(capped.url);
      await third.waitFor('session.created'); // the slot is free again
      third.close();
    } finally {
      await capped.close();
    }
  });

  it('close() ends every session with 1001', async () => {
    const s = await listenSimulator({ ...FAST });
    const a = await TestClient.configured(s.url, {});
    const b = await TestClient.connect(s.url);
    await b.waitFor('session.created');
    assert.equal(s.sessionCount(), 2);
    await s.close();
    assert.equal((await a.closed).code, 1001);
    assert.equal((await b.closed).code, 1001);
    assert.equal(s.sessionCount(), 0);
  });
});
