"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { TodoInput } from "@/lib/api";
import { useHydrated } from "@/lib/hydration";
import { dueInfo } from "@/lib/todos";
import type { Priority, Todo } from "@/lib/types";
import PrioritySelect from "./PrioritySelect";

interface Props {
  todo: Todo;
  onToggle: (t: Todo) => Promise<void>;
  onSave: (id: number, patch: Partial<TodoInput>) => Promise<void>;
  onDelete: (t: Todo) => Promise<void>;
  onError: (err: unknown) => void;
}

export default function TodoItem({ todo, onToggle, onSave, onDelete, onError }: Props) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  // The checkbox flips at once; it falls back to the server's state when the call ends.
  const [optimistic, setOptimistic] = useState<boolean | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  // "Due tomorrow" depends on the browser's date and time zone, not the server's.
  const hydrated = useHydrated();

  // Give focus back to the Edit button when the editor closes, so keyboard users stay in place.
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  async function run(fn: () => Promise<void>) {
    setBusy(true);
    try {
      await fn();
      return true;
    } catch (err) {
      onError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (editing) {
    return (
      <li className="todo editing">
        <TodoEditor
          todo={todo}
          busy={busy}
          onCancel={() => setEditing(false)}
          onSubmit={async (patch) => {
            if (await run(() => onSave(todo.id, patch))) setEditing(false);
          }}
        />
      </li>
    );
  }

  const due = hydrated ? dueInfo(todo) : null;
  return (
    <li className={`todo${todo.completed ? " done" : ""}${due?.state === "overdue" ? " overdue" : ""}`} aria-busy={busy}>
      <input
        type="checkbox"
        className="check"
        checked={optimistic ?? todo.completed}
        disabled={busy}
        onChange={() => {
          setOptimistic(!todo.completed);
          void run(() => onToggle(todo)).finally(() => setOptimistic(null));
        }}
        aria-label={todo.completed ? `Reopen “${todo.title}”` : `Complete “${todo.title}”`}
      />
      <div className="todo-body">
        <p className="todo-title">{todo.title}</p>
        {todo.description && <p className="todo-desc">{todo.description}</p>}
        <p className="todo-meta">
          <span className={`badge prio-${todo.priority}`}>{todo.priority}</span>
          {due && due.state !== "none" && (
            <span className={`due due-${due.state}`} title={due.full}>
              <span className="sr-only">{due.full}: </span>
              {due.label}
            </span>
          )}
        </p>
      </div>
      <div className="todo-actions">
        <button ref={editButton} className="btn ghost small" type="button" disabled={busy} onClick={() => setEditing(true)} aria-label={`Edit “${todo.title}”`}>
          Edit
        </button>
        <button className="btn ghost small danger" type="button" disabled={busy} onClick={() => run(() => onDelete(todo))} aria-label={`Delete “${todo.title}”`}>
          Delete
        </button>
      </div>
    </li>
  );
}

function TodoEditor({
  todo,
  busy,
  onCancel,
  onSubmit,
}: {
  todo: Todo;
  busy: boolean;
  onCancel: () => void;
  onSubmit: (patch: Partial<TodoInput>) => void;
}) {
  const [title, setTitle] = useState(todo.title);
  const [description, setDescription] = useState(todo.description ?? "");
  const [priority, setPriority] = useState<Priority>(todo.priority);
  const [due, setDue] = useState(todo.due_date ?? "");

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) return;
    onSubmit({ title: title.trim(), description: description.trim() || null, priority, due_date: due || null });
  }

  const escape = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
    }
  };

  return (
    <form className="editor" onSubmit={submit} onKeyDown={escape} aria-label={`Edit “${todo.title}”`}>
      <label className="field">
        <span>Title</span>
        <input autoFocus required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label className="field">
        <span>Notes</span>
        <textarea rows={2} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="editor-row">
        <label className="field">
          <span>Priority</span>
          <PrioritySelect aria-label="Priority" value={priority} onChange={setPriority} />
        </label>
        <label className="field">
          <span>Due date</span>
          <input type="date" value={due} onChange={(e) => setDue(e.target.value)} />
        </label>
        <div className="editor-buttons">
          <button className="btn primary" type="submit" disabled={busy || !title.trim()}>
            {busy ? "Saving…" : "Save"}
          </button>
          <button className="btn ghost" type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
