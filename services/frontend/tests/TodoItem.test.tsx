// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import TodoItem from "@/components/TodoItem";
import { toDayString } from "@/lib/todos";
import { todo } from "./fixtures";

afterEach(cleanup);

const daysFromNow = (n: number) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return toDayString(d);
};

function renderItem(t = todo({ title: "Pay rent", due_date: daysFromNow(-3) }), props: Partial<Parameters<typeof TodoItem>[0]> = {}) {
  const handlers = {
    onToggle: vi.fn(async () => {}),
    onSave: vi.fn(async () => {}),
    onDelete: vi.fn(async () => {}),
    onError: vi.fn(),
    ...props,
  };
  const view = render(
    <ul>
      <TodoItem todo={t} {...handlers} />
    </ul>,
  );
  return { ...view, ...handlers };
}

describe("TodoItem", () => {
  it("highlights an overdue todo and says by how much", () => {
    const { container } = renderItem();
    expect(container.querySelector("li")?.className).toMatch(/\boverdue\b/);
    expect(screen.getByText("Overdue by 3 days")).toBeTruthy();
  });

  it("does not highlight a completed todo even if its date has passed", () => {
    const { container } = renderItem(todo({ title: "Old", completed: true, due_date: daysFromNow(-3) }));
    expect(container.querySelector("li")?.className).not.toMatch(/overdue/);
    expect(screen.getByRole("checkbox", { name: "Reopen “Old”" })).toBeTruthy();
  });

  it("ticks at once and falls back to the real state when the server refuses", async () => {
    let refuse!: (e: Error) => void;
    const onToggle = vi.fn(() => new Promise<void>((_, reject) => (refuse = reject)));
    const { onError } = renderItem(undefined, { onToggle });
    const box = screen.getByRole("checkbox", { name: "Complete “Pay rent”" }) as HTMLInputElement;
    fireEvent.click(box);
    expect(box.checked).toBe(true);
    refuse(new Error("the todo service is unreachable"));
    await waitFor(() => expect(box.checked).toBe(false));
    expect(onError).toHaveBeenCalledWith(new Error("the todo service is unreachable"));
  });

  it("edits inline: Enter saves the changed fields, Escape cancels", async () => {
    const user = userEvent.setup();
    const { onSave } = renderItem(todo({ id: 5, title: "Write report", priority: "low" }));
    await user.click(screen.getByRole("button", { name: "Edit “Write report”" }));
    const title = screen.getByLabelText("Title");
    await user.clear(title);
    await user.type(title, "Write the report{Enter}");
    expect(onSave).toHaveBeenCalledWith(5, { title: "Write the report", description: null, priority: "low", due_date: null });
    await waitFor(() => expect(screen.queryByLabelText("Title")).toBeNull());

    await user.click(screen.getByRole("button", { name: "Edit “Write report”" }));
    await user.type(screen.getByLabelText("Title"), " changed{Escape}");
    expect(screen.queryByLabelText("Title")).toBeNull();
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(document.activeElement?.textContent).toBe("Edit");
  });
});
