// Where the UI's main-thread time goes: a Chromium performance trace of one layout of
// bench/ui.ts (same page, same conversation), attributed on the renderer's main thread by
// task kind (the top-level task's first child: a timer, a message from the engine, a
// rendering frame…) and by trace event (self thread time: script, style, layout, paint…).
// Run alone: `node --import tsx bench/ui-trace.ts [layout]` (layout: a key of bench/ui.ts
// LAYOUTS, default the floating panel; HV_UI_SECONDS, default 20; HV_UI_TRACE=file.json
// also writes the raw trace for chrome://tracing or DevTools).
import { readFileSync, writeFileSync } from 'node:fs';
import { openConversation } from '../test/support/conversation-driver.ts';
import { LAYOUTS } from './ui.ts';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: Record<string, any> };
}

const layout = process.argv[2] ?? 'floating, panel open';
const setup = LAYOUTS[layout];
if (setup === undefined) throw new Error(`unknown layout ${layout}: ${Object.keys(LAYOUTS).join(', ')}`);
const seconds = Number(process.env.HV_UI_SECONDS ?? 20);

let events: TraceEvent[];
if (process.env.HV_UI_TRACE_IN) events = (JSON.parse(readFileSync(process.env.HV_UI_TRACE_IN, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
else {
  const c = await openConversation({ light: true, log: (l) => console.error(l) });
  try {
    if (setup) await c.page.evaluate(setup);
    await c.start();
    await c.run(3000);
    await c.page.tracing.start({
      categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8.execute', '__metadata'],
    });
    await c.run(seconds * 1000);
    const text = new TextDecoder().decode(await c.page.tracing.stop());
    if (process.env.HV_UI_TRACE) writeFileSync(process.env.HV_UI_TRACE, text);
    events = (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents;
  } finally {
    await c.close();
  }
}

// The page's renderer main thread: the CrRendererMain that ran the element's script.
const threadNames = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args!.name!]));
const mains = [...threadNames].filter(([, n]) => n === 'CrRendererMain').map(([k]) => k);
const busiest = mains
  .map((k) => [k, events.filter((e) => `${e.pid}:${e.tid}` === k && e.ph === 'X').length] as const)
  .sort((a, b) => b[1] - a[1])[0]![0];
const main = events.filter((e) => `${e.pid}:${e.tid}` === busiest && e.ph === 'X' && e.tdur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
const t = (e: TraceEvent) => e.tdur! / 1000; // thread ms

// Nest the complete events (by wall time) to get self thread time and each task's children.
interface Node {
  e: TraceEvent;
  children: Node[];
}
const roots: Node[] = [];
const stack: Node[] = [];
for (const e of main) {
  while (stack.length && stack.at(-1)!.e.ts + stack.at(-1)!.e.dur! <= e.ts) stack.pop();
  const n: Node = { e, children: [] };
  (stack.at(-1)?.children ?? roots).push(n);
  stack.push(n);
}
const selfMs = new Map<string, number>();
const walk = (n: Node) => {
  const self = t(n.e) - n.children.reduce((s, c) => s + t(c.e), 0);
  selfMs.set(n.e.name, (selfMs.get(n.e.name) ?? 0) + Math.max(0, self));
  n.children.forEach(walk);
};
roots.forEach(walk);

/** What a top-level task was for: a message from the engine (with the events it fired), a timer, a rendering frame… */
function kind(n: Node): string {
  const all: TraceEvent[] = [];
  const collect = (x: Node) => {
    all.push(x.e);
    x.children.forEach(collect);
  };
  collect(n);
  const has = (name: string) => all.find((e) => e.name === name);
  const call = has('FunctionCall')?.args?.data;
  const fn = call ? `${call.functionName || '(anonymous)'}` : '';
  if (fn === 'e.worker.onmessage') {
    const fired = [...new Set(all.filter((e) => e.name === 'EventDispatch').map((e) => e.args!.data!.type))].filter((t) => t !== 'hydra-history').sort();
    return `engine message: ${fired.length ? fired.join(' ') : 'no event (levels)'}`;
  }
  if (has('TimerFire')) return `timer ${fn}`;
  if (has('HandlePostMessage') || has('MessagePort::Accept')) return `message ${fn}`;
  if (has('EventDispatch')) return `event ${has('EventDispatch')!.args!.data!.type}`;
  if (has('WebFrameWidgetImpl::BeginMainFrame') || has('WebFrameWidgetImpl::UpdateLifecycle')) {
    const phases = ['UpdateLayoutTree', 'Layout', 'Paint'].filter((p) => all.some((e) => e.name === p));
    return `rendering frame: ${phases.join(' + ') || 'composite only'}`;
  }
  if (fn) return `script ${fn}`;
  return `other (${n.children[0]?.children[0]?.e.name ?? n.children[0]?.e.name ?? n.e.name})`;
}
const byKind = new Map<string, { ms: number; n: number; names: Map<string, number> }>();
for (const r of roots) {
  const k = kind(r);
  const entry = byKind.get(k) ?? { ms: 0, n: 0, names: new Map() };
  entry.ms += t(r.e);
  entry.n++;
  const inner = (n: Node) => {
    const self = t(n.e) - n.children.reduce((s, c) => s + t(c.e), 0);
    entry.names.set(n.e.name, (entry.names.get(n.e.name) ?? 0) + Math.max(0, self));
    n.children.forEach(inner);
  };
  inner(r);
  byKind.set(k, entry);
}

const total = roots.reduce((s, r) => s + t(r.e), 0);
const perMin = (ms: number) => ((ms / seconds) * 60).toFixed(0);
console.log(`${layout}: ${roots.length} top-level tasks, ${total.toFixed(0)} ms thread time in ${seconds} s = ${perMin(total)} ms/min`);
console.log('\nby task kind (ms/min, tasks, top self-time events):');
for (const [k, v] of [...byKind].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  const top = [...v.names].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, ms]) => `${n} ${perMin(ms)}`).join(', ');
  console.log(`  ${perMin(v.ms).padStart(5)}  ${String(v.n).padStart(5)}  ${k}  [${top}]`);
}
// Each rendering frame charged to the update that asked for it: the last task before it
// that ran the element's script (an engine message, the timer) or a pointer event.
const bySource = new Map<string, { ms: number; n: number; frameMs: number }>();
let source = 'before the first update';
for (const r of roots) {
  const k = kind(r);
  const frame = k.startsWith('rendering frame');
  if (!frame && !k.startsWith('engine message') && !k.startsWith('timer') && !k.startsWith('event')) continue;
  if (!frame) source = k;
  const entry = bySource.get(source) ?? { ms: 0, n: 0, frameMs: 0 };
  entry.ms += t(r.e);
  if (frame) entry.frameMs += t(r.e);
  else entry.n++;
  bySource.set(source, entry);
}
console.log('\nby update source, its task and the rendering frames after it (ms/min, of which frames; tasks):');
for (const [k, v] of [...bySource].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${perMin(v.ms).padStart(5)}  ${perMin(v.frameMs).padStart(5)}  ${String(v.n).padStart(4)}  ${k}`);
/** Trace events by rendering phase (self time); the rest is the scheduler, IPC and loading. */
const PHASES: [string, RegExp][] = [
  ['script', /^(FunctionCall|RunMicrotasks|EvaluateScript|EventDispatch|TimerFire|FireAnimationFrame|V8\.|v8\.|AsyncTask|SerializedScriptValue|HandlePostMessage|MessagePort)/],
  ['style', /(recalcStyle|updateStyle|UpdateLayoutTree|Style\.UpdateTime|rebuildLayoutTree|serviceAnimations|StyleInvalidat)/],
  ['layout', /(Layout|InlineNode|performLayout)/],
  ['hit testing', /(HitTest|handleMouse)/],
  ['paint', /^(Paint|Blink\.Paint|CullRect|PaintController|LocalFrameView::RunPaintLifecyclePhase)/],
  ['pre-paint, layerize, commit', /(PrePaint|CompositingInputs|Layerize|PaintArtifactCompositor|Commit|UpdateLayer|UpdateLifecycle|BeginMainFrame)/],
];
const byPhase = new Map<string, number>();
for (const [n, ms] of selfMs) {
  const phase = PHASES.find(([, re]) => re.test(n))?.[0] ?? 'scheduler, IPC, loading, other';
  byPhase.set(phase, (byPhase.get(phase) ?? 0) + ms);
}
console.log('\nby phase, self time (ms/min):');
for (const [n, ms] of [...byPhase].sort((a, b) => b[1] - a[1])) console.log(`  ${perMin(ms).padStart(5)}  ${n}`);
console.log('\nby event, self time (ms/min):');
for (const [n, ms] of [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${perMin(ms).padStart(5)}  ${n}`);
process.exit(0);
