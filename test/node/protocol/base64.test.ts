import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, base64ToPcm16, bytesToBase64, pcm16ToBase64, newEventId } from '../../../src/protocol/index.ts';

/** Deterministic bytes (xorshift) so failures reproduce. */
function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('base64', () => {
  it('matches Node’s encoder for every length 0..64', () => {
    for (let n = 0; n <= 64; n++) {
      const b = bytes(n, n + 1);
      const expected = Buffer.from(b).toString('base64');
      assert.equal(bytesToBase64(b), expected, `length ${n}`);
      assert.deepEqual(base64ToBytes(expected), b, `length ${n}`);
    }
  });

  it('encodes only the view of a subarray (byteOffset and length honoured)', () => {
    const whole = bytes(100);
    const view = whole.subarray(13, 57);
    assert.equal(bytesToBase64(view), Buffer.from(whole.buffer, 13, 44).toString('base64'));
  });

  it('round-trips an Int16Array subarray view with a byteOffset', () => {
    const all = new Int16Array(1000);
    for (let i = 0; i < all.length; i++) all[i] = (i * 97) % 65536 - 32768;
    const view = all.subarray(123, 443);
    assert.equal(view.byteOffset, 246);
    const text = pcm16ToBase64(view);
    assert.equal(text, Buffer.from(all.buffer, 246, 640).toString('base64'));
    const back = base64ToPcm16(text)!;
    assert.equal(back.length, 320);
    assert.deepEqual(Array.from(back), Array.from(view));
  });

  it('PCM16 is little-endian on the wire', () => {
    assert.equal(pcm16ToBase64(Int16Array.of(1, -2, 0x1234)), Buffer.from([0x01, 0x00, 0xfe, 0xff, 0x34, 0x12]).toString('base64'));
    assert.deepEqual(Array.from(base64ToPcm16(Buffer.from([0x00, 0x80, 0xff, 0x7f]).toString('base64'))!), [-32768, 32767]);
  });

  it('round-trips a 1 MB array without overflowing the stack', () => {
    const big = bytes(1 << 20, 7);
    const text = bytesToBase64(big);
    assert.equal(text, Buffer.from(big).toString('base64'));
    const back = base64ToBytes(text)!;
    assert.equal(back.length, big.length);
    assert.ok(Buffer.from(back).equals(Buffer.from(big)));
    const pcm = base64ToPcm16(text)!;
    assert.equal(pcm.length, big.length / 2);
    assert.equal(pcm16ToBase64(pcm), text);
  });

  it('rejects text that is not standard padded base64', () => {
    for (const bad of ['A', 'AB', 'ABC', 'AB=C', 'A===', '====', 'AAAA=', 'AA==AA==', 'AA A', ' AAAA', 'AAAA\n', '-_-_', 'ab$d', 'é', 'AAAA AAAA']) {
      assert.equal(base64ToBytes(bad), null, JSON.stringify(bad));
      assert.equal(base64ToPcm16(bad), null, JSON.stringify(bad));
    }
  });

  it('rejects non-canonical padding bits', () => {
    // "AB==" has non-zero bits after the last byte ("AA==" is canonical for 0x00).
    assert.equal(base64ToBytes('AB=='), null);
    assert.deepEqual(base64ToBytes('AA=='), new Uint8Array([0]));
  });

  it('decodes the empty string to no bytes / no samples', () => {
    assert.deepEqual(base64ToBytes(''), new Uint8Array(0));
    assert.equal(base64ToPcm16('')!.length, 0);
  });

  it('rejects an odd byte count as PCM16 but accepts it as bytes', () => {
    for (const n of [1, 3, 641]) {
      const text = Buffer.from(bytes(n)).toString('base64');
      assert.equal(base64ToPcm16(text), null, `length ${n}`);
      assert.equal(base64ToBytes(text)!.length, n);
    }
  });
});

describe('event ids', () => {
  it('are cl_ + 16 hex digits and unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^cl_[0-9a-f]{16}$/);
  });
});
