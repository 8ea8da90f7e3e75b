// The base64 <-> PCM16 helpers from the browser side (Chromium's native toBase64/fromBase64
// when present), cross-checked against an independent btoa/atob byte-by-byte encoding.
import { expect } from '@open-wc/testing';
import { base64ToPcm16, bytesToBase64, pcm16ToBase64 } from '../../../src/protocol/base64.ts';

function slowBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}

describe('base64 <-> PCM16 in the browser', () => {
  it('round-trips a 1 s 48 kHz chunk and matches btoa byte for byte', () => {
    const pcm = Int16Array.from({ length: 48_000 }, (_, i) => Math.round(32767 * Math.sin(i / 7)) | (i % 3 === 0 ? -32768 : 0));
    const text = pcm16ToBase64(pcm);
    expect(text).to.equal(slowBase64(new Uint8Array(pcm.buffer)));
    expect(Array.from(base64ToPcm16(text)!)).to.deep.equal(Array.from(pcm));
  });

  it('honours byteOffset/byteLength of views (never encodes the whole buffer)', () => {
    const whole = Int16Array.from({ length: 1000 }, (_, i) => i - 500);
    const view = whole.subarray(100, 420); // one 20 ms chunk in the middle of a bigger buffer
    expect(pcm16ToBase64(view)).to.equal(slowBase64(new Uint8Array(whole.buffer, 200, 640)));
    expect(Array.from(base64ToPcm16(pcm16ToBase64(view))!)).to.deep.equal(Array.from(view));
  });

  it('encodes large arrays without overflowing the stack (8 MB)', () => {
    const bytes = new Uint8Array(8 << 20).map((_, i) => i * 31);
    expect(bytesToBase64(bytes).length).to.equal(Math.ceil(bytes.length / 3) * 4);
  });

  it('rejects non-base64 and odd byte counts (invalid_audio)', () => {
    expect(base64ToPcm16('not base64!')).to.equal(null);
    expect(base64ToPcm16(btoa('abc'))).to.equal(null); // 3 bytes: not PCM16
    expect(base64ToPcm16('')?.length).to.equal(0);
  });
});
