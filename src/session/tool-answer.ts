// The page side of a tool call: `respond(valueOrPromise)` turns whatever the page answers
// into a ToolResult, once. Used where the page's listeners run (the main thread), whether
// the session runs there or in the worker.
import type { ToolCallDetail, ToolCallRequest, ToolResult } from './events.ts';

/** The request plus a `respond()` that delivers one ToolResult to `deliver`. */
export function withResponder(request: ToolCallRequest, deliver: (result: ToolResult) => void): ToolCallDetail {
  let responded = false;
  return {
    callId: request.callId,
    name: request.name,
    arguments: request.arguments,
    respond(value: unknown) {
      if (responded) return;
      responded = true;
      Promise.resolve(value).then(
        (v) => deliver({ output: encodeOutput(v) }),
        (e: unknown) => deliver({ error: e instanceof Error ? e.message : String(e) }),
      );
    },
  };
}

/** Strings go as-is; anything else as JSON (undefined as null; unencodable as an error). */
export function encodeOutput(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (e) {
    return JSON.stringify({ error: `The tool result could not be encoded as JSON: ${(e as Error).message}` });
  }
}
