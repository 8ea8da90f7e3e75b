// Base64 for audio frames, in both directions, on the hot path (50 frames/s up, more down).
// Uses Uint8Array.prototype.toBase64 / Uint8Array.fromBase64 where the runtime has them and
// a chunked fallback otherwise: never String.fromCharCode(...bigArray), which overflows the
// stack on large arrays. Views are honoured (byteOffset/byteLength), never the whole buffer.
//
// PCM16 on the wire is little-endian; every browser and Node platform we target is
// little-endian, so Int16Array views are used directly.

type WithBase64 = Uint8Array & { toBase64?: () => string };
type Uint8ArrayCtorWithBase64 = typeof Uint8Array & {
  fromBase64?: (text: string, options?: { lastChunkHandling?: 'strict' | 'loose' }) => Uint8Array;
};

const nativeTo = typeof (Uint8Array.prototype as WithBase64).toBase64 === 'function';
const nativeFrom = typeof (Uint8Array as Uint8ArrayCtorWithBase64).fromBase64 === 'function';

const CHUNK = 0x2000; // 8 KiB per String.fromCharCode call: far below any engine's arg limit

/** Encodes bytes (respecting the view's offset and length) as standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (nativeTo) return (bytes as WithBase64).toBase64!();
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return btoa(binary);
}

// Standard alphabet, padded, no whitespace, and canonical: the bits a final partial group
// leaves over must be zero. Checked on both paths so Node (atob, lenient about those bits)
// and browsers with fromBase64 (which skips whitespace) accept exactly the same texts.
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

/** Decodes standard, padded base64. Returns null for anything that is not valid base64. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (!BASE64_RE.test(text)) return null;
  if (nativeFrom) {
    try {
      return (Uint8Array as Uint8ArrayCtorWithBase64).fromBase64!(text, { lastChunkHandling: 'strict' });
    } catch {
      return null;
    }
  }
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** PCM16 samples → base64 of their little-endian bytes. */
export function pcm16ToBase64(samples: Int16Array): string {
  return bytesToBase64(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
}

/**
 * base64 → PCM16 samples. Returns null when the text is not base64 or decodes to an odd
 * number of bytes (not PCM16): Hydra's `invalid_audio` conditions.
 */
export function base64ToPcm16(text: string): Int16Array | null {
  const bytes = base64ToBytes(text);
  if (bytes === null || bytes.byteLength % 2 !== 0) return null;
  // fromBase64/our fallback return a fresh buffer at offset 0, so the view is aligned.
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}
