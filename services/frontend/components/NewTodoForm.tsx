"use client";

import { useState, type FormEvent } from "react";
import type { TodoInput } from "@/lib/api";
import type { Priority } from "@/lib/types";
import PrioritySelect from "./PrioritySelect";

interface Props {
  onCreate: (input: TodoInput) => Promise<void>;
  onError: (err: unknown) => void;
}

export default function NewTodoForm({ onCreate, onError }: Props) {
  const [title, setTitle] = useState("");
  const [priority, setPriority] = useState<Priority>("medium");
  const [due, setDue] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) return;
    setBusy(true);
    try {
      await onCreate({ title: title.trim(), priority, due_date: due || null });
      setTitle("");
      setDue("");
      setPriority("medium");
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="new-todo" onSubmit={submit} aria-label="Add a todo">
      <label className="field grow">
        <span className="field-label">New todo</span>
        <input
          name="title"
          placeholder="What needs doing?"
          maxLength={200}
          required
          value={title}
          onChange={(e) => setTitle(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field-label">Priority</span>
        <PrioritySelect name="priority" value={priority} onChange={setPriority} />
      </label>
      <label className="field">
        <span className="field-label">Due date</span>
        <input type="date" name="due_date" value={due} onChange={(e) => setDue(e.target.value)} />
      </label>
      <button className="btn primary" type="submit" disabled={busy || !title.trim()}>
        {busy ? "Adding…" : "Add"}
      </button>
    </form>
  );
}
