/**
 * nut.js, loaded on first use so that the core (serve, the CLI, tests) starts on machines
 * without a display: the native module is only touched after the preflight said yes.
 */
export type Nut = typeof import('@nut-tree-fork/nut-js');

let loading: Promise<Nut> | undefined;

export function loadNut(): Promise<Nut> {
  loading ??= import('@nut-tree-fork/nut-js').then((nut) => {
    // nut.js waits 300 ms between keys by default; 10 ms is still reliable under Xvfb and X11.
    nut.keyboard.config.autoDelayMs = 10;
    nut.mouse.config.autoDelayMs = 20;
    return nut;
  });
  return loading;
}
