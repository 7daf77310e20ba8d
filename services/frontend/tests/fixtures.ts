import type { Todo } from "@/lib/types";

let nextId = 1;

export function todo(over: Partial<Todo> = {}): Todo {
  const id = over.id ?? nextId++;
  return {
    id,
    title: `todo ${id}`,
    description: null,
    completed: false,
    priority: "medium",
    due_date: null,
    created_at: `2026-11-${String(10 + (id % 18)).padStart(2, "0")}T10:00:00Z`,
    updated_at: "2026-11-28T10:00:00Z",
    ...over,
  };
}
