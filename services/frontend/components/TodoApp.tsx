"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, ApiError, type TodoInput } from "@/lib/api";
import { counts, DEFAULT_FILTERS, visibleTodos, type Filters } from "@/lib/todos";
import type { FirstPage, Todo, User } from "@/lib/types";
import ChatPanel from "./ChatPanel";
import DeleteAccount from "./DeleteAccount";
import FilterBar from "./FilterBar";
import NewTodoForm from "./NewTodoForm";
import TodoItem from "./TodoItem";

type Load = { state: "loading" } | { state: "error"; message: string } | { state: "ready" };

/** `first`: what the server rendered the page with (lib/server/first-page.ts); absent: load it here. */
export default function TodoApp({ first }: { first?: FirstPage }) {
  const router = useRouter();
  const [user, setUser] = useState<User | null>(first?.user ?? null);
  const [todos, setTodos] = useState<Todo[]>(first?.todos.items ?? []);
  const [load, setLoad] = useState<Load>(first ? { state: "ready" } : { state: "loading" });
  const [filters, setFilters] = useState<Filters>(DEFAULT_FILTERS);
  const [notice, setNotice] = useState<string | null>(null);

  const toLogin = useCallback(() => {
    router.replace("/login");
    router.refresh();
  }, [router]);

  /** Any failed call: an expired session goes back to login, anything else is shown. */
  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return toLogin();
      setNotice(err instanceof Error ? err.message : "Something went wrong.");
    },
    [toLogin],
  );

  const refresh = useCallback(async () => {
    try {
      setTodos(await api.listTodos());
      setLoad({ state: "ready" });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return toLogin();
      setLoad({ state: "error", message: err instanceof Error ? err.message : "Could not load your todos." });
    }
  }, [toLogin]);

  // Without a first page from the server, everything loads here; with one that is not the whole
  // list, the rest does (the first page stays on screen meanwhile).
  const loadAll = !first;
  const loadRest = !!first && first.todos.items.length < first.todos.total;
  useEffect(() => {
    // Only an expired session matters here; any other failure shows in the list's error state.
    if (loadAll) {
      api.me().then(setUser, (err) => {
        if (err instanceof ApiError && err.status === 401) toLogin();
      });
    }
    if (loadAll || loadRest) void refresh();
  }, [loadAll, loadRest, refresh, toLogin]);

  const replace = (t: Todo) => setTodos((list) => list.map((x) => (x.id === t.id ? t : x)));

  const actions = {
    async create(input: TodoInput) {
      const created = await api.createTodo(input);
      setTodos((list) => [created, ...list]);
    },
    async save(id: number, patch: Partial<TodoInput>) {
      replace(await api.updateTodo(id, patch));
    },
    async toggle(todo: Todo) {
      replace(await api.setCompleted(todo.id, !todo.completed));
    },
    async remove(todo: Todo) {
      await api.deleteTodo(todo.id);
      setTodos((list) => list.filter((x) => x.id !== todo.id));
    },
  };

  function accountDeleted() {
    router.replace("/login?account=deleted");
    router.refresh();
  }

  async function logout() {
    try {
      await api.logout();
    } finally {
      toLogin();
    }
  }

  const shown = useMemo(() => visibleTodos(todos, filters), [todos, filters]);
  const n = counts(todos);
  const filtered = filters.status !== "all" || filters.priority !== "any" || filters.text.trim() !== "";

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#chat-input"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("chat-input")?.focus();
        }}
      >
        Skip to the assistant
      </a>
      <header className="topbar">
        <p className="brand">✓ Todo</p>
        <div className="who">
          <span className="muted" aria-label="Signed in as">
            {user?.email ?? "…"}
          </span>
          <button className="btn ghost" type="button" onClick={logout}>
            Log out
          </button>
          {user && <DeleteAccount email={user.email} onDeleted={accountDeleted} onUnauthorized={toLogin} />}
        </div>
      </header>

      <div className="workspace">
        <main className="card list-panel" aria-labelledby="list-title">
          <div className="panel-head">
            <h1 id="list-title">My todos</h1>
            {load.state === "ready" && (
              <p className="muted" aria-live="polite">
                {n.active} open · {n.completed} done
              </p>
            )}
          </div>

          <NewTodoForm onCreate={actions.create} onError={fail} />
          <FilterBar filters={filters} counts={n} onChange={setFilters} />

          {notice && (
            <div className="alert dismissable" role="alert">
              <span>{notice}</span>
              <button className="btn ghost small" type="button" onClick={() => setNotice(null)}>
                Dismiss
              </button>
            </div>
          )}

          {load.state === "loading" && (
            <ul className="todos" aria-busy="true" aria-label="Loading todos">
              {[0, 1, 2].map((i) => (
                <li key={i} className="todo skeleton" aria-hidden="true" />
              ))}
            </ul>
          )}

          {load.state === "error" && (
            <div className="state error-state" role="alert">
              <h2>Your todos could not be loaded</h2>
              <p>{load.message}</p>
              <button className="btn" type="button" onClick={() => { setLoad({ state: "loading" }); void refresh(); }}>
                Try again
              </button>
            </div>
          )}

          {load.state === "ready" && todos.length === 0 && (
            <div className="state empty-state">
              <h2>Nothing to do yet</h2>
              <p>Add your first todo above, or ask the assistant: “add buy milk tomorrow”.</p>
            </div>
          )}

          {load.state === "ready" && todos.length > 0 && shown.length === 0 && (
            <div className="state empty-state">
              <h2>No todos match</h2>
              <p>{filtered ? "Try another filter or clear the search." : ""}</p>
              <button className="btn" type="button" onClick={() => setFilters(DEFAULT_FILTERS)}>
                Clear filters
              </button>
            </div>
          )}

          {load.state === "ready" && shown.length > 0 && (
            <ul className="todos" aria-label="Todos">
              {shown.map((t) => (
                <TodoItem
                  key={t.id}
                  todo={t}
                  onToggle={actions.toggle}
                  onSave={actions.save}
                  onDelete={actions.remove}
                  onError={fail}
                />
              ))}
            </ul>
          )}
        </main>

        <ChatPanel onActions={refresh} onUnauthorized={toLogin} />
      </div>
    </div>
  );
}
