import { describe, expect, it } from "vitest";
import { counts, DEFAULT_FILTERS, dueInfo, matchesFilters, parseDay, sortTodos, visibleTodos } from "@/lib/todos";
import { todo } from "./fixtures";

const milk = todo({ id: 1, title: "Buy milk", priority: "low", created_at: "2026-11-01T08:00:00Z" });
const tax = todo({ id: 2, title: "File taxes", description: "before the DEADLINE", priority: "high", due_date: "2026-12-01", created_at: "2026-11-02T08:00:00Z" });
const call = todo({ id: 3, title: "call mum", completed: true, due_date: "2026-11-20", created_at: "2026-11-03T08:00:00Z" });
const all = [milk, tax, call];

describe("filters", () => {
  it("splits active and completed", () => {
    expect(all.filter((t) => matchesFilters(t, { ...DEFAULT_FILTERS, status: "active" }))).toEqual([milk, tax]);
    expect(all.filter((t) => matchesFilters(t, { ...DEFAULT_FILTERS, status: "completed" }))).toEqual([call]);
  });

  it("filters by priority", () => {
    expect(visibleTodos(all, { ...DEFAULT_FILTERS, priority: "high" })).toEqual([tax]);
  });

  it("searches title and description, ignoring case and surrounding spaces", () => {
    expect(visibleTodos(all, { ...DEFAULT_FILTERS, text: "  deadline " })).toEqual([tax]);
    expect(visibleTodos(all, { ...DEFAULT_FILTERS, text: "MILK" })).toEqual([milk]);
    expect(visibleTodos(all, { ...DEFAULT_FILTERS, text: "nothing like this" })).toEqual([]);
  });

  it("combines filters", () => {
    expect(visibleTodos(all, { ...DEFAULT_FILTERS, status: "active", text: "call" })).toEqual([]);
  });

  it("counts all, active and completed", () => {
    expect(counts(all)).toEqual({ all: 3, active: 2, completed: 1 });
  });
});

describe("sorting", () => {
  const ids = (key: Parameters<typeof sortTodos>[1]) => sortTodos(all, key).map((t) => t.id);

  it("defaults to newest first", () => {
    expect(ids("created-desc")).toEqual([3, 2, 1]);
    expect(ids("created-asc")).toEqual([1, 2, 3]);
  });

  it("ranks priority high > medium > low, not alphabetically", () => {
    expect(ids("priority-desc")).toEqual([2, 3, 1]);
  });

  it("puts todos without a due date last in both due-date directions", () => {
    expect(ids("due-asc")).toEqual([3, 2, 1]);
    expect(ids("due-desc")).toEqual([2, 3, 1]);
  });

  it("sorts titles case-insensitively", () => {
    expect(ids("title-asc")).toEqual([1, 3, 2]);
  });

  it("does not mutate its input", () => {
    const copy = [...all];
    sortTodos(all, "title-asc");
    expect(all).toEqual(copy);
  });
});

describe("due dates", () => {
  // Local noon, so no time zone can move "today".
  const now = new Date(2026, 10, 28, 12, 0, 0);
  const due = (due_date: string | null, completed = false) => dueInfo({ due_date, completed }, now, "en-GB");

  it("reads YYYY-MM-DD as a local calendar day and rejects impossible dates", () => {
    expect(parseDay("2026-11-28")?.getDate()).toBe(28);
    expect(parseDay("2026-02-30")).toBeNull();
    expect(parseDay("28/11/2026")).toBeNull();
  });

  it("highlights overdue todos with how late they are", () => {
    expect(due("2026-11-27")).toMatchObject({ state: "overdue", label: "Overdue by 1 day" });
    expect(due("2026-11-20")).toMatchObject({ state: "overdue", label: "Overdue by 8 days" });
  });

  it("says today and tomorrow in words", () => {
    expect(due("2026-11-28")).toMatchObject({ state: "today", label: "Due today" });
    expect(due("2026-11-29")).toMatchObject({ state: "soon", label: "Due tomorrow" });
  });

  it("gives the weekday for the coming week and the date after that", () => {
    // ICU versions differ on a comma after the weekday; the words are what matter.
    expect(due("2026-12-01").label).toMatch(/^Due in 3 days \(Tue,? 1 Dec\)$/);
    expect(due("2026-12-24").label).toMatch(/^Due Thu,? 24 Dec$/);
    expect(due("2027-01-05").label).toMatch(/^Due Tue,? 5 Jan 2027$/);
    expect(due("2026-12-24").full).toMatch(/^Thursday,? 24 December 2026$/);
  });

  it("never calls a completed todo overdue", () => {
    expect(due("2026-11-01", true)).toMatchObject({ state: "done" });
    expect(due("2026-11-01", true).label).toMatch(/^Due Sun,? 1 Nov$/);
  });

  it("handles a missing or malformed date", () => {
    expect(due(null).state).toBe("none");
    expect(due("soon").state).toBe("none");
  });

  it("counts calendar days across a daylight-saving change", () => {
    const march = new Date(2026, 2, 28, 23, 30);
    expect(dueInfo({ due_date: "2026-03-30", completed: false }, march).label).toMatch(/^Due in 2 days/);
  });
});
