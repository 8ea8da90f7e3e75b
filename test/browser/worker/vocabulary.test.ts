// One error vocabulary across layers: a problem of the audio engine carries the audio
// engine's code, whatever else is starting at the same time (the worker, the socket).
import { expect } from '@open-wc/testing';
import type { Puppet } from '../../support/puppet.ts';
import { openPage, puppetAndPage } from './helpers.ts';

describe('error codes across layers', function () {
  this.timeout(30_000);
  const ctx = puppetAndPage();

  it('a CSP that blocks the audio worklet (only the script itself allowed, no worklet-url) is audio_failed, naming the directive', async () => {
    const script = `${location.origin}/dist/hydra-voice.js`;
    ctx.page = await openPage(
      `<meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline' ${script}">` + `<script src="${script}"></script>`,
    );
    const { el } = ctx.page;
    el.url = ctx.puppet.url;
    const errors: { code: string; message: string; fatal: boolean }[] = [];
    el.addEventListener('hydra-error', (e) => errors.push((e as CustomEvent).detail));
    void el.start();
    await new Promise<void>((resolve) => {
      const check = () => (el.state === 'error' ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(errors.map((e) => [e.code, e.fatal])).to.deep.equal([['audio_failed', true]]);
    expect(errors[0]!.message).to.contain('script-src').and.contain('worklet-url');
  });
});
