import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RELAY_CLOSE, forwardCloseCode, isSendableCloseCode } from '../../../src/server/relay/index.ts';

describe('relay close-code mapping', () => {
  it('passes sendable codes through unchanged in both directions', () => {
    for (const code of [1000, 1001, 1008, 1009, 1011, 1013, 3000, 4000, 4100, 4999]) {
      assert.equal(forwardCloseCode(code, 'client'), code);
      assert.equal(forwardCloseCode(code, 'upstream'), code);
    }
  });

  it('maps reserved codes to sendable ones', () => {
    assert.equal(forwardCloseCode(1005, 'client'), 1000);
    assert.equal(forwardCloseCode(1005, 'upstream'), 1000);
    assert.equal(forwardCloseCode(1006, 'client'), RELAY_CLOSE.UPSTREAM_UNREACHABLE);
    assert.equal(forwardCloseCode(1006, 'upstream'), 1001);
    assert.equal(forwardCloseCode(1015, 'client'), RELAY_CLOSE.UPSTREAM_UNREACHABLE);
    for (const code of [1004, 1005, 1006, 1015, 999, 2000, 5000]) assert.equal(isSendableCloseCode(code), false, String(code));
  });

  it('documents distinct application codes in the 4000 range', () => {
    const codes = Object.values(RELAY_CLOSE);
    assert.equal(new Set(codes).size, codes.length);
    for (const c of codes) assert.ok(c >= 4000 && c <= 4999 && isSendableCloseCode(c));
  });
});
