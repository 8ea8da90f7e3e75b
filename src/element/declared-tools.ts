// Tools declared in HTML, so a page can configure them without script:
//   <hydra-voice>
//     <script type="application/json" data-tools>[{"type":"function","name":"get_weather", ...}]</script>
//   </hydra-voice>
// A JSON script child is inert (never executed, never rendered).
import { checkToolList } from '../protocol/browser-checks.ts';
import type { Tool } from '../protocol/schemas.ts';

export type ToolsResult = { ok: true; tools: Tool[] } | { ok: false; message: string };

/** Validates a tool list from any source (property or HTML). */
export function checkTools(value: unknown): ToolsResult {
  const result = checkToolList(value);
  if (result.ok) return { ok: true, tools: result.value };
  return { ok: false, message: `Invalid tools (${result.issues.join('; ')}): each needs {"type": "function", "name"} and optional JSON Schema "parameters".` };
}

/**
 * Reads tools from the element's JSON script child, if any: the one marked `data-tools`,
 * else the first `<script type="application/json">`.
 */
export function readDeclaredTools(host: Element): ToolsResult | undefined {
  const script =
    host.querySelector(':scope > script[type="application/json"][data-tools]') ??
    host.querySelector(':scope > script[type="application/json"]');
  if (!script) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(script.textContent ?? '');
  } catch (e) {
    return { ok: false, message: `The tools <script> is not valid JSON: ${(e as Error).message}` };
  }
  return checkTools(json);
}
