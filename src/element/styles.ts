// The element's look: a round button with a level halo, a status line and an error line.
// Everything a site may want to change is a CSS custom property or a part.
import { css } from 'lit';

export const styles = css`
  :host {
    --_accent: var(--hydra-accent, #4338ca);
    --_on-accent: var(--hydra-on-accent, #ffffff);
    --_fg: var(--hydra-fg, #1f2937);
    --_muted-fg: var(--hydra-muted-fg, #4b5563);
    --_bg: var(--hydra-bg, transparent);
    --_error: var(--hydra-error-color, #b91c1c);
    --_size: var(--hydra-size, 56px);
    --_radius: var(--hydra-radius, 50%);
    --_halo: var(--hydra-halo-color, color-mix(in srgb, var(--_accent) 35%, transparent));
    --_level: max(var(--hydra-input-level, 0), var(--hydra-output-level, 0));
    display: inline-flex;
    align-items: center;
    gap: 12px;
    padding: var(--hydra-padding, 0);
    background: var(--_bg);
    color: var(--_fg);
    font: var(--hydra-font, 500 14px/1.35 system-ui, -apple-system, 'Segoe UI', sans-serif);
    vertical-align: middle;
  }
  :host([hidden]) {
    display: none;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_accent: var(--hydra-accent, #818cf8);
      --_on-accent: var(--hydra-on-accent, #111827);
      --_fg: var(--hydra-fg, #f3f4f6);
      --_muted-fg: var(--hydra-muted-fg, #d1d5db);
      --_error: var(--hydra-error-color, #fca5a5);
    }
  }
  .control {
    position: relative;
    flex: none;
    display: grid;
  }
  [part~='visualizer'] {
    position: absolute;
    inset: 0;
    border-radius: var(--_radius);
    background: var(--_halo);
    transform: scale(calc(1 + var(--_level) * 0.6));
    opacity: calc(0.25 + var(--_level) * 0.75);
    transition: transform 80ms linear, opacity 80ms linear;
    pointer-events: none;
  }
  :host([state='idle']) [part~='visualizer'],
  :host([state='error']) [part~='visualizer'] {
    opacity: 0;
  }
  [part~='button'] {
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
    cursor: pointer;
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
    transition: filter 120ms ease, transform 120ms ease;
  }
  [part~='button']:hover {
    filter: brightness(1.08);
  }
  [part~='button']:active {
    transform: scale(0.96);
  }
  [part~='button']:focus-visible {
    outline: 3px solid var(--hydra-focus-ring, var(--_accent));
    outline-offset: 3px;
  }
  :host([state='error']) [part~='button'] {
    background: var(--_error);
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
  .spin {
    animation: spin 1s linear infinite;
    transform-origin: center;
  }
  .pulse circle {
    animation: pulse 1.2s ease-in-out infinite;
  }
  .pulse circle:nth-child(2) {
    animation-delay: 0.2s;
  }
  .pulse circle:nth-child(3) {
    animation-delay: 0.4s;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @keyframes pulse {
    50% {
      opacity: 0.3;
    }
  }
  .text {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  [part~='status'] {
    color: var(--_fg);
  }
  [part~='error'] {
    color: var(--_error);
    font-size: 0.9em;
    max-width: 32ch;
  }
  [part~='retry'],
  [part~='mute'] {
    margin-top: 4px;
    align-self: flex-start;
    font: inherit;
    font-size: 0.85em;
    padding: 2px 10px;
    border-radius: 999px;
    border: 1px solid currentColor;
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
  [part~='retry']:focus-visible,
  [part~='mute']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  :host([compact]) .text {
    display: none;
  }
  @media (prefers-reduced-motion: reduce) {
    [part~='visualizer'],
    [part~='button'] {
      transition: none;
    }
    [part~='visualizer'] {
      transform: none;
    }
    .spin,
    .pulse circle {
      animation: none;
    }
  }
`;
