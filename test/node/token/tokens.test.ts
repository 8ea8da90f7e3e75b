import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mintToken, verifyToken, TOKEN_PURPOSE } from '../../../src/server/token/index.ts';

const secret = 'a-test-secret-that-is-long-enough-123';
const origin = 'https://shop.example';
const T0 = 1_700_000_000_000;
const clock = (ms: number) => () => ms;

/** Signs an arbitrary payload exactly as a real secret-holder would. */
function forge(payload: unknown, key = secret): string {
  const body = `hv1.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('relay tokens', () => {
  it('round-trips: purpose, origin, expiry from ttl, unique jti, optional model', () => {
    const a = mintToken({ secret, origin, now: clock(T0) });
    const b = mintToken({ secret, origin, ttlSeconds: 5, model: 'hydra-v1.0', now: clock(T0) });
    const va = verifyToken(a, { secret, origin, now: clock(T0) });
    const vb = verifyToken(b, { secret, origin, now: clock(T0) });
    assert.ok(va.ok && vb.ok);
    assert.equal(va.payload.purpose, TOKEN_PURPOSE);
    assert.equal(va.payload.origin, origin);
    assert.equal(va.payload.exp, T0 / 1000 + 60);
    assert.equal(va.payload.model, undefined);
    assert.equal(vb.payload.exp, T0 / 1000 + 5);
    assert.equal(vb.payload.model, 'hydra-v1.0');
    assert.notEqual(va.payload.jti, vb.payload.jti);
  });

  it('rejects a tampered signature, a tampered payload and another secret', () => {
    const token = mintToken({ secret, origin, now: clock(T0) });
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const flipped = `${v}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    const otherPayload = Buffer.from(JSON.stringify({ purpose: TOKEN_PURPOSE, origin, exp: T0 / 1000 + 3600, jti: 'x' })).toString('base64url');
    for (const bad of [flipped, `${v}.${otherPayload}.${sig}`, `${v}.${payload}.${sig.slice(0, -4)}`]) {
      const r = verifyToken(bad, { secret, now: clock(T0) });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'bad_signature');
    }
    const r = verifyToken(token, { secret: 'another-secret-of-enough-length!!', now: clock(T0) });
    assert.equal(!r.ok && r.reason, 'bad_signature');
  });

  it('expires at exp (injected clock), valid just before', () => {
    const token = mintToken({ secret, origin, ttlSeconds: 60, now: clock(T0) });
    assert.equal(verifyToken(token, { secret, now: clock(T0 + 59_999) }).ok, true);
    const r = verifyToken(token, { secret, now: clock(T0 + 60_000) });
    assert.equal(!r.ok && r.reason, 'expired');
    assert.match(!r.ok ? r.message : '', /expired/);
  });

  it('binds to the origin', () => {
    const token = mintToken({ secret, origin, now: clock(T0) });
    const r = verifyToken(token, { secret, origin: 'https://evil.example', now: clock(T0) });
    assert.equal(!r.ok && r.reason, 'origin_mismatch');
    assert.equal(verifyToken(token, { secret, origin, now: clock(T0) }).ok, true);
  });

  it('rejects a correctly signed token of another purpose', () => {
    const token = forge({ purpose: 'password-reset', origin, exp: T0 / 1000 + 60, jti: 'j' });
    const r = verifyToken(token, { secret, now: clock(T0) });
    assert.equal(!r.ok && r.reason, 'wrong_purpose');
  });

  it('rejects malformed input without throwing', () => {
    const signedGarbage = (() => {
      const body = `hv1.${Buffer.from('not json').toString('base64url')}`;
      return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
    })();
    const cases: unknown[] = [
      undefined, null, 42, '', 'abc', 'hv1.abc', 'hv1.a.b.c', 'hv2.YQ.YQ', 'hv1.a b.c', 'x'.repeat(5000),
      signedGarbage,
      forge({ purpose: TOKEN_PURPOSE, origin, jti: 'j' }), // no exp
      forge({ purpose: TOKEN_PURPOSE, origin, exp: 'soon', jti: 'j' }),
      forge({ purpose: TOKEN_PURPOSE, exp: T0 / 1000 + 60, jti: 'j' }), // no origin
      forge({ purpose: TOKEN_PURPOSE, origin, exp: T0 / 1000 + 60, jti: 'j', model: 7 }),
      forge(null),
    ];
    for (const c of cases) {
      const r = verifyToken(c, { secret, now: clock(T0) });
      assert.equal(r.ok, false, `accepted ${String(c).slice(0, 40)}`);
      assert.equal(!r.ok && r.reason, 'malformed', `reason for ${String(c).slice(0, 40)}`);
    }
  });

  it('refuses short secrets and non-positive ttl', () => {
    assert.throws(() => mintToken({ secret: 'short', origin }), RangeError);
    assert.throws(() => verifyToken('hv1.a.b', { secret: 'short' }), RangeError);
    assert.throws(() => mintToken({ secret, origin, ttlSeconds: 0 }), RangeError);
  });
});
