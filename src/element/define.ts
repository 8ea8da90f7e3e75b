// Registers <hydra-voice> once. A page that loads the script twice (a CMS plugin plus a
// hand-written tag, say) keeps the first definition and gets a console warning instead of
// the DOMException customElements.define would throw.
import { HydraVoiceElement } from './hydra-voice.ts';

export const TAG_NAME = 'hydra-voice';

/** Registers the element; without a registry (server-side rendering in Node) it does nothing. */
export function defineHydraVoice(registry: CustomElementRegistry | undefined = globalThis.customElements): void {
  if (!registry) return;
  const existing = registry.get(TAG_NAME);
  if (existing) {
    if (existing !== HydraVoiceElement) {
      console.warn(`<${TAG_NAME}> is already defined by another copy; this one is not used. Load the script once.`);
    }
    return;
  }
  registry.define(TAG_NAME, HydraVoiceElement);
}
