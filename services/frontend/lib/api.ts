// Browser-side calls to our own origin only (/api/...). The session cookie rides along
// automatically; client code never sees the token.
import { describeError } from "./errors";
import { LIST_PAGE_SIZE as PAGE } from "./todos";
import type { ChatReply, ChatTurn, Priority, Todo, TodoPage, User } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, {
      ...rest,
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, describeError(0, null));
  }
  if (res.status === 204) return undefined as T;
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, describeError(res.status, body));
  return body as T;
}

export interface TodoInput {
  title: string;
  description?: string | null;
  priority?: Priority;
  due_date?: string | null;
}

const MAX_PAGES = 50;

export const api = {
  me: () => apiFetch<User>("/api/auth/me"),
  login: (email: string, password: string) =>
    apiFetch<User>("/api/auth/login", { method: "POST", json: { email, password } }),
  register: (email: string, password: string) =>
    apiFetch<User>("/api/auth/register", { method: "POST", json: { email, password } }),
  logout: () => apiFetch<void>("/api/auth/logout", { method: "POST" }),
  /** Deletes the account and all its todos; the session cookie is cleared too. */
  deleteAccount: () => apiFetch<void>("/api/auth/me", { method: "DELETE" }),

  /** Every todo of the user (paged through, bounded); filtering and sorting happen locally. */
  async listTodos(): Promise<Todo[]> {
    const all: Todo[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const data = await apiFetch<TodoPage>(`/api/todos?limit=${PAGE}&offset=${page * PAGE}`);
      all.push(...data.items);
      if (data.items.length < PAGE || all.length >= data.total) break;
    }
    return all;
  },
  createTodo: (input: TodoInput) => apiFetch<Todo>("/api/todos", { method: "POST", json: input }),
  updateTodo: (id: number, patch: Partial<TodoInput>) =>
    apiFetch<Todo>(`/api/todos/${id}`, { method: "PATCH", json: patch }),
  setCompleted: (id: number, completed: boolean) =>
    apiFetch<Todo>(`/api/todos/${id}/${completed ? "complete" : "reopen"}`, { method: "POST" }),
  deleteTodo: (id: number) => apiFetch<void>(`/api/todos/${id}`, { method: "DELETE" }),
  chat: (message: string, history: ChatTurn[]) =>
    apiFetch<ChatReply>("/api/chat", { method: "POST", json: { message, history } }),
};
