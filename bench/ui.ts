// The page's main-thread cost of the element's UI during a conversation, per layout, in
// headless Chromium: the built dist/hydra-voice.js on demo/index.html, Chromium's fake mic
// asking a question every ~6.5 s, token endpoint + relay + simulator in this process
// (test/support/conversation-driver.ts, uninstrumented "light" mode). Whole-page figures
// (CDP TaskDuration: script, style, layout, paint, everything on the main thread): the
// budget is 0.5 s per minute of conversation. Figures, not assertions.
// Run alone: `node --import tsx bench/ui.ts` (HV_UI_SECONDS per layout, default 30).
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureMainThread } from './e2e.ts';

type Row = [figure: string, value: string, how: string];

/** How each layout is set up on the demo page before the call starts. */
export const LAYOUTS: Record<string, string> = {
  inline: '',
  'inline + timeline': `document.querySelector('hydra-voice').timeline = true;`,
  'floating, panel open': `{ const el = document.querySelector('hydra-voice'); el.layout = 'floating'; el.open = true; }`,
};

export const BUDGET_MS_PER_MINUTE = 500;

export async function runUiBench(seconds = Number(process.env.HV_UI_SECONDS ?? 30)): Promise<{ rows: Row[]; figures: Record<string, unknown> }> {
  const figures: Record<string, unknown> = { seconds, loadAvg: loadavg()[0], cpus: cpus().length };
  const rows: Row[] = [];
  for (const [name, setup] of Object.entries(LAYOUTS)) {
    const f = await measureMainThread(seconds, setup);
    figures[name] = f;
    rows.push([
      `main thread per minute, ${name}`,
      `${f.taskMsPerMinute.toFixed(0)} ms/min (budget ${BUDGET_MS_PER_MINUTE}: ${f.taskMsPerMinute <= BUDGET_MS_PER_MINUTE ? 'within' : 'OVER'})`,
      `whole page, CDP TaskDuration over ${seconds} s of conversation (${f.turns} turns); script ${f.scriptMsPerMinute.toFixed(0)} ms/min; ${f.longTasks.length} long tasks; load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
    ]);
  }
  return { rows, figures };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows } = await runUiBench();
  for (const r of rows) console.log(r.join('  '));
  process.exit(0);
}
