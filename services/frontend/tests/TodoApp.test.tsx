// @vitest-environment happy-dom
// The todo page as the server renders it and the browser hydrates it: with the first page from
// the server the list is in the HTML and nothing is fetched again; without it (the backend was
// down) the browser loads the list itself. The browser's API calls go over real HTTP to a
// loopback server answering as the frontend's routes do.
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { hydrateRoot, type Root } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import TodoApp from "@/components/TodoApp";
import { toDayString } from "@/lib/todos";
import type { FirstPage } from "@/lib/types";
import { todo } from "./fixtures";
import { startUpstream } from "./upstream";

// One router for the page's life, as Next.js gives it.
const router = vi.hoisted(() => ({ replace: () => {}, refresh: () => {} }));
vi.mock("next/navigation", () => ({ useRouter: () => router }));

const USER = { id: 7, email: "ada@example.com", created_at: "2026-11-28T08:00:00Z" };
const tomorrow = () => {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  return toDayString(d);
};
const MILK = todo({ title: "Buy milk", due_date: tomorrow() });
const RENT = todo({ title: "Pay rent" });
const BREAD = todo({ title: "Bake bread" });

let server: Awaited<ReturnType<typeof startUpstream>>;

beforeAll(async () => {
  server = await startUpstream({
    "GET /api/auth/me": () => ({ status: 200, body: USER }),
    "GET /api/todos": () => ({ status: 200, body: { items: [MILK, RENT, BREAD], total: 3, limit: 100, offset: 0 } }),
  });
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(`${server.url}/`);
});
afterAll(() => server.close());
afterEach(() => {
  vi.restoreAllMocks();
  cleanup();
  server.seen.length = 0;
  document.body.innerHTML = "";
});

const titles = () => [...document.querySelectorAll(".todos .todo-title")].map((e) => e.textContent).sort();

/**
 * The server's HTML put in the document, then hydrated as the browser does. The server renders
 * two days earlier than the browser hydrates (its clock or time zone differs): what it writes
 * must not depend on that.
 */
async function hydrate(first: FirstPage) {
  const container = document.createElement("div");
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() - 2 * 86_400_000);
  try {
    container.innerHTML = renderToString(<TodoApp first={first} />);
  } finally {
    vi.useRealTimers();
  }
  document.body.append(container);
  const serverTitles = titles();
  const recoverable = vi.fn();
  // React's development build reports mismatches it will not patch up on console.error.
  // (happy-dom has no `autofocus` property, which React reads as a mismatch: not the app's.)
  const errors: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args) => {
    const text = args.map(String).join(" ");
    if (!text.includes("autoFocus")) errors.push(text);
  });
  let root: Root | undefined;
  await act(async () => {
    root = hydrateRoot(container, <TodoApp first={first} />, { onRecoverableError: recoverable });
  });
  return { serverTitles, recoverable, errors, unmount: () => act(() => root?.unmount()) };
}

describe("the todo page", () => {
  it("arrives with the server's first page in its HTML and hydrates it without fetching again", async () => {
    const page = await hydrate({ user: USER, todos: { items: [MILK, RENT], total: 2, limit: 100, offset: 0 } });
    expect(page.serverTitles).toEqual(["Buy milk", "Pay rent"]);
    expect(document.querySelector("[aria-label='Loading todos']")).toBeNull();
    // Same markup on both sides: React kept the server's DOM instead of rendering it again.
    expect(page.recoverable).not.toHaveBeenCalled();
    expect(page.errors).toEqual([]);
    // The relative due date is the browser's to work out, once hydrated.
    await screen.findByText("Due tomorrow");
    expect(screen.getByLabelText("Signed in as").textContent).toBe("ada@example.com");
    expect(screen.getByText("2 open · 0 done")).toBeTruthy();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.seen).toHaveLength(0);
    await page.unmount();
  });

  it("loads the rest when the first page is not the whole list", async () => {
    const page = await hydrate({ user: USER, todos: { items: [MILK], total: 3, limit: 1, offset: 0 } });
    expect(page.serverTitles).toEqual(["Buy milk"]);
    await waitFor(() => expect(titles()).toHaveLength(3));
    expect(server.seen.map((s) => s.url)).toEqual(["/api/todos?limit=100&offset=0"]);
    await page.unmount();
  });

  it("without a first page (the backend was unreachable) loads the user and the list itself", async () => {
    render(<TodoApp />);
    expect(screen.getByLabelText("Loading todos")).toBeTruthy();
    await waitFor(() => expect(titles()).toEqual(["Bake bread", "Buy milk", "Pay rent"]));
    await waitFor(() => expect(screen.getByLabelText("Signed in as").textContent).toBe("ada@example.com"));
    expect(server.seen.map((s) => s.url).sort()).toEqual(["/api/auth/me", "/api/todos?limit=100&offset=0"]);
  });
});
