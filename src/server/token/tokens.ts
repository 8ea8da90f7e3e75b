// Relay tokens: short-lived, single-purpose, bound to one browser origin.
//
// Format: "hv1.<payload>.<signature>", both parts base64url. The payload is JSON
// {purpose, origin, exp, jti, model?, agent?}; the signature is HMAC-SHA256 over "hv1.<payload>"
// with the server secret. Not a JWT on purpose: one fixed algorithm, nothing for a caller
// to negotiate, and a prefix that makes the version explicit.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PURPOSE = 'hydra-relay';
const VERSION = 'hv1';
/** Below this a secret is guessable; 32 random bytes is the recommended size. */
const MIN_SECRET_BYTES = 16;

/** What a relay token asserts. `exp` is in Unix seconds. */
export interface TokenPayload {
  purpose: typeof TOKEN_PURPOSE;
  origin: string;
  exp: number;
  jti: string;
  model?: string;
  /** The server-held agent this token opens (see createTokenHandler's `agents`). */
  agent?: string;
}

export type Secret = string | Uint8Array;

export interface MintOptions {
  secret: Secret;
  /** The browser origin the token is bound to (serialized form, e.g. "https://example.com"). */
  origin: string;
  ttlSeconds?: number;
  /** Bind the token to one `?model=`; the relay refuses any other. */
  model?: string;
  /** Name the server-held agent the relay configures the session with. */
  agent?: string;
  /** Clock in ms (tests inject one). Default Date.now. */
  now?: () => number;
}

export interface VerifyOptions {
  secret: Secret;
  /** When given, the token's origin must equal it. */
  origin?: string;
  now?: () => number;
}

export type TokenRejection = 'malformed' | 'bad_signature' | 'wrong_purpose' | 'expired' | 'origin_mismatch';

export type VerifyResult =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: TokenRejection; message: string };

function secretBytes(secret: Secret): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new RangeError(`token secret must be at least ${MIN_SECRET_BYTES} bytes (32 random bytes recommended)`);
  }
  return bytes;
}

/** Throws early (at setup, not per request) when a secret is too short. */
export function assertSecret(secret: Secret): void {
  secretBytes(secret);
}

function sign(secret: Secret, signed: string): Buffer {
  return createHmac('sha256', secretBytes(secret)).update(signed).digest();
}

/** Mints a token; see the module comment for the format. */
export function mintToken(options: MintOptions): string {
  const ttl = options.ttlSeconds ?? 60;
  if (!(ttl > 0)) throw new RangeError('ttlSeconds must be > 0');
  const now = (options.now ?? Date.now)();
  const payload: TokenPayload = {
    purpose: TOKEN_PURPOSE,
    origin: options.origin,
    exp: Math.floor(now / 1000) + Math.ceil(ttl),
    jti: randomBytes(12).toString('base64url'),
  };
  if (options.model !== undefined) payload.model = options.model;
  if (options.agent !== undefined) payload.agent = options.agent;
  const body = `${VERSION}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${body}.${sign(options.secret, body).toString('base64url')}`;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Checks format, signature (constant time), purpose, expiry and, when asked, origin, in
 * that order: nothing from the payload is trusted before the signature matches.
 */
export function verifyToken(token: unknown, options: VerifyOptions): VerifyResult {
  const reject = (reason: TokenRejection, message: string): VerifyResult => ({ ok: false, reason, message });
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return reject('malformed', 'token missing or malformed');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !BASE64URL.test(parts[1]!) || !BASE64URL.test(parts[2]!)) {
    return reject('malformed', 'token malformed');
  }
  const expected = sign(options.secret, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reject('bad_signature', 'token signature invalid');

  let payload: Partial<TokenPayload>;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Partial<TokenPayload>;
  } catch {
    return reject('malformed', 'token payload malformed');
  }
  if (typeof payload !== 'object' || payload === null || typeof payload.exp !== 'number' || typeof payload.origin !== 'string' || typeof payload.jti !== 'string') {
    return reject('malformed', 'token payload malformed');
  }
  if (payload.model !== undefined && typeof payload.model !== 'string') return reject('malformed', 'token payload malformed');
  if (payload.agent !== undefined && typeof payload.agent !== 'string') return reject('malformed', 'token payload malformed');
  if (payload.purpose !== TOKEN_PURPOSE) return reject('wrong_purpose', 'token not minted for the relay');
  const nowSeconds = (options.now ?? Date.now)() / 1000;
  if (nowSeconds >= payload.exp) return reject('expired', 'token expired');
  if (options.origin !== undefined && payload.origin !== options.origin) {
    return reject('origin_mismatch', 'token was minted for another origin');
  }
  return { ok: true, payload: payload as TokenPayload };
}
