// The element's look. Everything a site may want to change is a CSS custom property or a
// part. Cost rules (bench: whole-page main thread ≤ 0.5 s per minute of conversation):
// nothing animates while idle; during a call the halo changes by transform on its own
// layer, without transitions (each transition frame would be a main-thread frame in a
// software-rendered page); the two icon animations run in steps, which cost nothing
// between steps.
import { unsafeCSS } from 'lit';

/** The sheet's text as one string (Lit's own css tag and its checks would ship for this one sheet). */
const css = (text: TemplateStringsArray, ...values: string[]) => unsafeCSS(String.raw({ raw: text }, ...values));

// Black or white, whichever contrasts more with a colour (relative colour syntax: the
// lightness flips to 0 or 1 around the WCAG crossover, ~0.6 in OKLCH).
const contrast = (color: string) => `oklch(from ${color} clamp(0,(.6 - l)*1e3,1) 0 0)`;

export const styles = css`
  :host {
    --_accent: var(--hydra-accent, #4338ca);
    --_on-accent: var(--hydra-on-accent, ${contrast('var(--_accent)')});
    --_fg: var(--hydra-fg, #1f2937);
    --_muted-fg: var(--hydra-muted-fg, #4b5563);
    --_panel: var(--hydra-panel-bg, #fff);
    --_error: var(--hydra-error-color, #b91c1c);
    --_on-error: ${contrast('var(--_error)')};
    --_size: var(--hydra-size, 56px);
    --_radius: var(--hydra-radius, 50%);
    --_gap: var(--hydra-offset, 20px);
    --_ring: var(--hydra-focus-ring, var(--_accent));
    display: inline-flex;
    align-items: center;
    flex-wrap: wrap;
    gap: 12px;
    padding: var(--hydra-padding, 0);
    background: var(--hydra-bg, transparent);
    color: var(--_fg);
    font: var(--hydra-font, 500 14px/1.35 system-ui, -apple-system, 'Segoe UI', sans-serif);
    vertical-align: middle;
  }
  @supports not (color: oklch(from red l c h)) {
    :host {
      --_on-accent: var(--hydra-on-accent, #fff);
      --_on-error: #fff;
    }
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_accent: var(--hydra-accent, #818cf8);
      --_fg: var(--hydra-fg, #f3f4f6);
      --_muted-fg: var(--hydra-muted-fg, #d1d5db);
      --_panel: var(--hydra-panel-bg, #1f2937);
      --_error: var(--hydra-error-color, #fca5a5);
    }
  }
  button,
  select,
  input {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
  }
  :focus-visible {
    outline: 2px solid var(--_ring);
    outline-offset: 2px;
  }
  svg {
    width: 45%;
    height: 45%;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  /* The round button, its halo, and the launcher. */
  .control {
    position: relative;
    flex: none;
    display: grid;
  }
  [part~='visualizer'] {
    position: absolute;
    inset: 0;
    border-radius: var(--_radius);
    background: var(--hydra-halo-color, color-mix(in srgb, var(--_accent) 35%, transparent));
    will-change: transform;
    pointer-events: none;
  }
  /* Classes, not parts, after :host([state]): a state change then restyles these two
     elements, not every element that has a part (the timeline's entries included). */
  :host([state='idle']) .halo,
  :host([state='error']) .halo {
    opacity: 0;
  }
  [part~='button'],
  [part~='launcher'] {
    position: relative;
    box-sizing: border-box;
    width: var(--_size);
    height: var(--_size);
    display: grid;
    place-items: center;
    padding: 0;
    border: none;
    border-radius: var(--_radius);
    background: var(--_accent);
    color: var(--_on-accent);
    box-shadow: 0 1px 3px #0004;
    touch-action: none;
    user-select: none;
    -webkit-user-select: none;
  }
  [part~='button']:hover,
  [part~='launcher']:hover {
    filter: brightness(1.08);
  }
  [part~='button']:active {
    transform: scale(0.96);
  }
  [part~='button']:focus-visible,
  [part~='launcher']:focus-visible {
    outline-width: 3px;
    outline-offset: 3px;
  }
  :host([state='error']) .main {
    background: var(--_error);
    color: var(--_on-error);
  }
  .spin {
    animation: spin 1s steps(8) infinite;
  }
  .pulse circle {
    animation: blink 1.2s steps(1) infinite;
  }
  .pulse circle:nth-child(2) {
    animation-delay: 0.4s;
  }
  .pulse circle:nth-child(3) {
    animation-delay: 0.8s;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @keyframes blink {
    50% {
      opacity: 0.3;
    }
  }

  /* Status, errors, controls. */
  .text {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 4px;
    min-width: 0;
  }
  [part~='error'],
  [part~='help'] {
    color: var(--_error);
    font-size: 0.9em;
    max-width: 34ch;
  }
  [part~='help'] {
    color: var(--_muted-fg);
  }
  summary {
    cursor: pointer;
    min-height: 24px;
  }
  [part~='retry'],
  [part~='end'] {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    min-height: 32px;
    padding: 0 14px;
    border-radius: 999px;
    border: 1px solid currentColor;
    background: transparent;
    font-size: 0.9em;
  }
  [part~='end'] {
    border: none;
    background: var(--_error);
    color: var(--_on-error);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
  }
  .icon {
    box-sizing: border-box;
    width: 32px;
    height: 32px;
    display: grid;
    place-items: center;
    padding: 0;
    border-radius: 50%;
    border: 1px solid color-mix(in srgb, currentColor 35%, transparent);
    background: transparent;
  }
  .icon[aria-pressed='true'] {
    background: color-mix(in srgb, currentColor 16%, transparent);
  }
  .icon svg,
  [part~='end'] svg {
    width: 18px;
    height: 18px;
  }
  [part~='volume'] {
    width: 88px;
    min-height: 24px;
    margin: 0;
    accent-color: var(--_accent);
  }
  [part~='settings'] {
    display: grid;
    gap: 8px;
    font-size: 0.9em;
  }
  label {
    display: grid;
    gap: 2px;
  }
  select {
    min-height: 32px;
    max-width: 100%;
  }

  /* compact: only the button; the text stays for screen readers, an error is a tooltip. */
  :host([compact]) .text {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  [part~='tooltip'] {
    position: absolute;
    top: calc(100% + 8px);
    left: 50%;
    translate: -50%;
    z-index: 1;
    width: max-content;
    max-width: 16rem;
    padding: 6px 10px;
    border-radius: 8px;
    background: var(--_fg);
    color: ${contrast('var(--_fg)')};
    font-size: 0.85em;
    visibility: hidden;
  }
  .control:hover [part~='tooltip'],
  .control:focus-within [part~='tooltip'] {
    visibility: visible;
  }

  /* Timeline. */
  [part~='timeline'] {
    flex-basis: 100%;
    display: flex;
    flex-direction: column;
    gap: 6px;
    max-height: 16rem;
    overflow: auto;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.85em;
  }
  [part~='entry'] {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 8px;
    margin-right: 2rem;
    padding: 6px 10px;
    border-radius: 10px;
    background: color-mix(in srgb, currentColor 8%, transparent);
  }
  [part~='user'] {
    align-self: flex-end;
    margin: 0 0 0 2rem;
    background: color-mix(in srgb, var(--_accent) 18%, transparent);
  }
  [part~='entry'] span {
    color: var(--_muted-fg);
  }
  [part~='entry'] code {
    flex-basis: 100%;
    font: 0.92em/1.3 ui-monospace, monospace;
    word-break: break-all;
  }
  code.failed {
    color: var(--_error);
  }

  /* Floating: a launcher in a corner, a panel above (or below) it. */
  :host([layout='floating']) {
    position: fixed;
    z-index: 2147483000;
    right: var(--_gap);
    bottom: var(--_gap);
    display: block;
    padding: 0;
    background: none;
  }
  :host([layout='floating'][position^='top']) {
    top: var(--_gap);
    bottom: auto;
  }
  :host([layout='floating'][position$='left']) {
    left: var(--_gap);
    right: auto;
  }
  [part~='panel'] {
    position: absolute;
    right: 0;
    bottom: calc(100% + 12px);
    box-sizing: border-box;
    width: min(22rem, calc(100vw - 2 * var(--_gap)));
    max-height: min(36rem, calc(100vh - var(--_size) - 3 * var(--_gap)));
    overflow: auto;
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 12px;
    padding: 12px 16px 16px;
    border-radius: 16px;
    background: var(--_panel);
    box-shadow: 0 10px 30px #0000004d;
    text-align: center;
  }
  :host([position^='top']) [part~='panel'] {
    top: calc(100% + 12px);
    bottom: auto;
  }
  :host([position$='left']) [part~='panel'] {
    left: 0;
    right: auto;
  }
  .head {
    align-self: stretch;
    display: flex;
    align-items: center;
    gap: 8px;
  }
  [part~='title'] {
    flex: 1;
    text-align: start;
    font-weight: 600;
  }
  [part~='timer'] {
    /* A fixed box (up to h:mm:ss): a minute's change re-lays out and repaints only itself. */
    contain: strict;
    width: 7ch;
    height: 1.4em;
    line-height: 1.4em;
    text-align: end;
    color: var(--_muted-fg);
    font-variant-numeric: tabular-nums;
  }
  /* The seconds: one line of the 00…59 strip shows; the animation moves the strip a line a second. */
  .sec {
    display: inline-block;
    height: 1.4em;
    overflow: hidden;
    vertical-align: top;
  }
  .sec > span {
    display: block;
    white-space: pre;
  }
  [part~='panel'] .icon {
    border-color: transparent;
  }
  [part~='panel'] .control {
    margin: 8px 0 4px;
  }
  [part~='panel'] .text,
  [part~='panel'] .row {
    align-items: center;
    justify-content: center;
  }
  [part~='panel'] [part~='settings'] {
    text-align: start;
  }
  [part~='panel'] [part~='timeline'] {
    align-self: stretch;
    flex: 1 1 auto;
    min-height: 3rem;
    max-height: none;
    text-align: start;
  }

  @media (prefers-reduced-motion: reduce) {
    .spin,
    .pulse circle {
      animation: none;
    }
    [part~='visualizer'] {
      transform: none !important;
    }
  }
`;
