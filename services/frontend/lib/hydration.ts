import { useSyncExternalStore } from "react";

const noChange = () => () => {};

/**
 * False while the server renders and while React hydrates that HTML, true from then on (and
 * straight away in a component first rendered in the browser). Output that depends on where it
 * renders (the clock, the time zone: "Due tomorrow") waits for true, so the server's HTML and
 * the browser's first render agree and hydration keeps the server's DOM.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(noChange, () => true, () => false);
}
