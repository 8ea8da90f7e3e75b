// Where Hydra lives and how a client addresses it: the default endpoint, the query
// parameters of the WebSocket URL, and the audio formats on the wire.
import { HydraError } from './errors.ts';

/** Hydra's WebSocket endpoint (clients and the relay's default upstream). */
export const HYDRA_URL = 'wss://api.smallest.ai/waves/v1/s2s';

/** PCM16 mono sample rate of `input_audio_buffer.append`. */
export const INPUT_SAMPLE_RATE = 16_000;
/** PCM16 mono sample rate of `response.output_audio.delta`. */
export const OUTPUT_SAMPLE_RATE = 48_000;

/**
 * `<base>?model=<model>&api_key=<token>`, keeping the base's own query parameters.
 * Relative and http(s) bases resolve against `baseUrl` (the page) and become ws(s).
 */
export function buildSocketUrl(base: string, model: string, token: string | undefined, baseUrl?: string): string {
  let url: URL;
  try {
    url = new URL(base, baseUrl ?? (globalThis as { location?: { href: string } }).location?.href);
  } catch {
    throw new HydraError('invalid_config', `"${base}" is not a valid WebSocket URL.`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new HydraError('invalid_config', `"${base}" is not a ws:// or wss:// URL.`);
  }
  url.searchParams.set('model', model);
  if (token !== undefined) url.searchParams.set('api_key', token);
  return url.toString();
}

/** The endpoint without its query (which carries the token), for messages. */
export function safeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the Hydra endpoint';
  }
}
