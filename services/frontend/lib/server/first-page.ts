// What the todo page needs before it can show anything: the user and the first page of their
// todos, fetched while the page renders on the server, so the HTML arrives with the list in it
// instead of a skeleton that waits for the browser's own API calls after hydration.
import "server-only";
import { LIST_PAGE_SIZE } from "@/lib/todos";
import type { FirstPage, TodoPage, User } from "@/lib/types";
import { forwardedFor, type HasHeaders } from "./client-address";
import { HttpError, callUpstream, requestId } from "./upstream-call";

/** The page waits at most this long; past it the browser loads the list itself, as a fallback. */
export const FIRST_PAGE_TIMEOUT_MS = 3_000;

export type FirstPageResult =
  | { state: "ready"; data: FirstPage }
  /** The backend refused the token (expired, logged out elsewhere, account deleted). */
  | { state: "unauthorized" }
  /** Unreachable, slow, failing or answering nonsense: the browser tries again and shows why. */
  | { state: "unavailable" };

async function json<T>(res: Response, valid: (data: T) => boolean): Promise<T | null> {
  try {
    const data = (await res.json()) as T;
    return data && valid(data) ? data : null;
  } catch {
    return null;
  }
}

/** The user and their first LIST_PAGE_SIZE todos (newest first, as the browser asks for them). */
export async function loadFirstPage(token: string, req: HasHeaders): Promise<FirstPageResult> {
  const common = {
    service: "backend" as const,
    token,
    requestId: requestId(req),
    forwardedFor: forwardedFor(req),
    timeoutMs: FIRST_PAGE_TIMEOUT_MS,
  };
  let me: Response;
  let list: Response;
  try {
    [me, list] = await Promise.all([
      callUpstream({ ...common, path: "/api/v1/users/me" }),
      callUpstream({ ...common, path: "/api/v1/todos", search: `?limit=${LIST_PAGE_SIZE}&offset=0` }),
    ]);
  } catch (err) {
    if (err instanceof HttpError) return { state: "unavailable" };
    throw err;
  }
  if (me.status === 401 || list.status === 401) {
    await Promise.all([me.body?.cancel(), list.body?.cancel()]);
    return { state: "unauthorized" };
  }
  if (me.status !== 200 || list.status !== 200) {
    await Promise.all([me.body?.cancel(), list.body?.cancel()]);
    return { state: "unavailable" };
  }
  const [user, todos] = await Promise.all([
    json<User>(me, (u) => typeof u.email === "string"),
    json<TodoPage>(list, (p) => Array.isArray(p.items) && typeof p.total === "number"),
  ]);
  return user && todos ? { state: "ready", data: { user, todos } } : { state: "unavailable" };
}
