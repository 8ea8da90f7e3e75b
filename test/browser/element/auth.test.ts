// <hydra-voice agent> and the tokenProvider property, in real Chromium: the agent id and
// the provider's token reach the connection; a failing provider and the token endpoint's
// own `{error}` reason surface in hydra-error (and the element's error part).
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/index.ts';
import type { HydraVoiceElement, TokenProvider } from '../../../src/index.ts';
import { Puppet } from '../../support/puppet.ts';
import { part } from './helpers.ts';

describe('<hydra-voice> agent and tokenProvider', () => {
  let puppet: Puppet;
  beforeEach(async () => {
    puppet = await Puppet.create();
  });
  afterEach(() => {
    for (const el of document.querySelectorAll('hydra-voice')) (el as HydraVoiceElement).stop();
    puppet.dispose();
  });

  it('tokenProvider replaces token-endpoint and receives the agent attribute', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice token-endpoint="/__token/status?code=500" agent="concierge"></hydra-voice>`);
    const agents: (string | undefined)[] = [];
    const provider: TokenProvider = async ({ agent }) => {
      agents.push(agent);
      return { token: 'from-my-backend', url: puppet.url };
    };
    el.tokenProvider = provider;
    expect(el.agent).to.equal('concierge');
    void el.start();
    const open = (await puppet.connection(0)) as { url: string };
    expect(new URL(open.url, 'http://x').searchParams.get('api_key')).to.equal('from-my-backend');
    expect(agents).to.deep.equal(['concierge']);
  });

  it('a failing tokenProvider is a token_failed hydra-error with its message; visitors see the short line', async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice></hydra-voice>`);
    el.tokenProvider = () => Promise.reject(new Error('session expired, sign in again'));
    const error = oneEvent(el, 'hydra-error');
    void el.start();
    const detail = (await error).detail;
    expect(detail).to.deep.equal({ code: 'token_failed', message: 'The tokenProvider failed: session expired, sign in again.', fatal: true });
    await el.updateComplete;
    // The provider's message is the developer's (hydra-error); the visitor reads the token_failed line.
    expect(part(el, 'error')!.textContent).to.equal('Can’t connect right now. Please try again.');
    expect(puppet.connections()).to.equal(0);
  });

  it("the token endpoint's JSON {error} reason reaches hydra-error's message", async () => {
    const el = await fixture<HydraVoiceElement>(html`<hydra-voice token-endpoint="/__token/status?code=403" agent="concierge"></hydra-voice>`);
    const error = oneEvent(el, 'hydra-error');
    void el.start();
    const detail = (await error).detail;
    expect(detail.code).to.equal('token_failed');
    expect(detail.message).to.match(/answered HTTP 403[^:]*: token endpoint failure \(test\)\.$/);
  });
});
