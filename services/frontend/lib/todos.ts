// Pure list logic: filtering, sorting and due-date wording. Kept free of React for unit tests.
import type { Priority, Todo } from "./types";

export type StatusFilter = "all" | "active" | "completed";
export type SortKey = "created-desc" | "created-asc" | "due-asc" | "due-desc" | "priority-desc" | "title-asc";

export interface Filters {
  status: StatusFilter;
  priority: Priority | "any";
  text: string;
  sort: SortKey;
}

/** Todos asked for per request when the list loads: the backend's largest page (limit 1..100). */
export const LIST_PAGE_SIZE = 100;

export const DEFAULT_FILTERS: Filters = { status: "all", priority: "any", text: "", sort: "created-desc" };

export const SORT_LABELS: Record<SortKey, string> = {
  "created-desc": "Newest first",
  "created-asc": "Oldest first",
  "due-asc": "Due date (soonest)",
  "due-desc": "Due date (latest)",
  "priority-desc": "Priority (high first)",
  "title-asc": "Title (A-Z)",
};

const PRIORITY_RANK: Record<Priority, number> = { high: 3, medium: 2, low: 1 };

export function matchesFilters(todo: Todo, f: Filters): boolean {
  if (f.status === "active" && todo.completed) return false;
  if (f.status === "completed" && !todo.completed) return false;
  if (f.priority !== "any" && todo.priority !== f.priority) return false;
  const needle = f.text.trim().toLocaleLowerCase();
  if (needle) {
    const hay = `${todo.title}\n${todo.description ?? ""}`.toLocaleLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

// Newer first as the tie-breaker everywhere, so the order is stable and predictable.
const byCreatedDesc = (a: Todo, b: Todo) =>
  b.created_at.localeCompare(a.created_at) || b.id - a.id;

/** Todos without a due date always go last, whichever direction the due-date sort runs. */
function compareDue(a: Todo, b: Todo, dir: 1 | -1): number {
  if (a.due_date === b.due_date) return 0;
  if (a.due_date === null) return 1;
  if (b.due_date === null) return -1;
  return dir * a.due_date.localeCompare(b.due_date);
}

export function sortTodos(todos: readonly Todo[], key: SortKey): Todo[] {
  const cmp: Record<SortKey, (a: Todo, b: Todo) => number> = {
    "created-desc": () => 0,
    "created-asc": (a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id,
    "due-asc": (a, b) => compareDue(a, b, 1),
    "due-desc": (a, b) => compareDue(a, b, -1),
    "priority-desc": (a, b) => PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority],
    "title-asc": (a, b) => a.title.localeCompare(b.title, undefined, { sensitivity: "base" }),
  };
  return [...todos].sort((a, b) => cmp[key](a, b) || byCreatedDesc(a, b));
}

export function visibleTodos(todos: readonly Todo[], f: Filters): Todo[] {
  return sortTodos(
    todos.filter((t) => matchesFilters(t, f)),
    f.sort,
  );
}

export function counts(todos: readonly Todo[]) {
  const done = todos.filter((t) => t.completed).length;
  return { all: todos.length, active: todos.length - done, completed: done };
}

// ---- due dates -------------------------------------------------------------------------

export type DueState = "none" | "overdue" | "today" | "soon" | "later" | "done";

export interface DueInfo {
  state: DueState;
  /** Short text for the list, e.g. "Overdue by 2 days", "Due tomorrow". */
  label: string;
  /** Full date for a title/tooltip and screen readers, e.g. "Monday, 1 December 2026". */
  full: string;
}

/** "YYYY-MM-DD" as a local calendar day (no UTC shift), or null if malformed. */
export function parseDay(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getMonth() === Number(m[2]) - 1 ? d : null;
}

/** Local today as "YYYY-MM-DD" (for <input type="date" min=...> and tests). */
export function toDayString(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function daysBetween(from: Date, to: Date): number {
  const a = Date.UTC(from.getFullYear(), from.getMonth(), from.getDate());
  const b = Date.UTC(to.getFullYear(), to.getMonth(), to.getDate());
  return Math.round((b - a) / 86_400_000);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function dueInfo(todo: Pick<Todo, "due_date" | "completed">, now: Date = new Date(), locale = "en-GB"): DueInfo {
  const day = todo.due_date ? parseDay(todo.due_date) : null;
  if (!day) return { state: "none", label: "No due date", full: "" };
  const full = day.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  const short = day.toLocaleDateString(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(day.getFullYear() !== now.getFullYear() ? { year: "numeric" } : {}),
  });
  // Done is done: no alarm colours, just the date it had.
  if (todo.completed) return { state: "done", label: `Due ${short}`, full };
  const diff = daysBetween(now, day);
  if (diff < 0) return { state: "overdue", label: `Overdue by ${plural(-diff, "day")}`, full };
  if (diff === 0) return { state: "today", label: "Due today", full };
  if (diff === 1) return { state: "soon", label: "Due tomorrow", full };
  if (diff < 7) return { state: "soon", label: `Due in ${plural(diff, "day")} (${short})`, full };
  return { state: "later", label: `Due ${short}`, full };
}
