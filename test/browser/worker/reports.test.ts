// What the engine tells the page, and how: everything it reports in one task (a server
// frame's state change and its turn event) arrives as one message, so the page handles it
// in one task and the element renders once.
import { expect } from '@open-wc/testing';
import { connect, openPage, puppetAndPage, sv } from './helpers.ts';

/** Records every message the page's workers post to it, before the element's own handler. */
const RECORD_WORKER_MESSAGES = `<script>
  window.__reports = [];
  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => window.__reports.push(e.data));
    }
  };
</script>`;

type Report = { type: string; name?: string; detail?: { state?: string } };

describe('engine reports to the page', function () {
  this.timeout(30_000);
  const ctx = puppetAndPage();

  it('a server frame’s state change and turn event arrive as one message', async () => {
    ctx.page = await openPage(`${RECORD_WORKER_MESSAGES}<script type="module" src="/src/index.ts"></script>`);
    const { el, win } = ctx.page;
    await connect(el, ctx.puppet);
    expect(el.debugStats?.thread).to.equal('worker');
    ctx.puppet.send({ type: 'input_audio_buffer.speech_started', event_id: sv(), audio_start_ms: 500, item_id: 'item_batch' });
    await new Promise<void>((resolve) => {
      const check = () => (el.state === 'user-speaking' ? resolve() : setTimeout(check, 10));
      check();
    });
    const reports = (win as unknown as { __reports: unknown[] }).__reports;
    // After the worker's one-time `ready`, every message is an array of reports.
    expect(reports[0]).to.deep.equal({ type: 'ready' });
    expect(reports.slice(1).every(Array.isArray), 'every report after ready is a batch').to.equal(true);
    const batch = (reports.slice(1) as Report[][]).find((b) => b.some((r) => r.type === 'event' && r.name === 'turn-start'));
    expect(batch, 'the batch holding turn-start').to.exist;
    expect(batch!.some((r) => r.type === 'event' && r.name === 'state' && r.detail?.state === 'user-speaking'), 'user-speaking in the same batch').to.equal(true);
  });
});
