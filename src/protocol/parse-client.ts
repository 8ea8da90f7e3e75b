// Parses frames a client sent, with the zod schemas: used by the simulator and the relay
// (Node), never by the browser script.
import { ClientFrame, CLIENT_FRAME_TYPES } from './schemas.ts';
import type { ClientFrameType } from './schemas.ts';
import { parseFrame } from './parse.ts';
import type { ParseOptions, ParseResult } from './parse.ts';

export function isClientFrameType(type: string): type is ClientFrameType {
  return (CLIENT_FRAME_TYPES as string[]).includes(type);
}

/** Parses a frame a client sent (used by the simulator and the relay). */
export function parseClientFrame(data: unknown, options: ParseOptions = {}): ParseResult<ClientFrame> {
  return parseFrame(data, options, isClientFrameType, (_type, json) => {
    const result = ClientFrame.safeParse(json);
    if (result.success) return { issues: [], frame: result.data };
    return { issues: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  });
}
