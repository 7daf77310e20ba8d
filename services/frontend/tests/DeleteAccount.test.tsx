// @vitest-environment happy-dom
// The "Delete account" control in a DOM, talking over real HTTP to a loopback server that
// answers DELETE /api/auth/me the way the frontend's route does.
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import DeleteAccount from "@/components/DeleteAccount";
import { startUpstream, type Reply } from "./upstream";

let next: Reply;
let server: Awaited<ReturnType<typeof startUpstream>>;

beforeAll(async () => {
  server = await startUpstream({ "DELETE /api/auth/me": () => next });
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(`${server.url}/`);
});
afterAll(() => server.close());
afterEach(() => {
  cleanup();
  server.seen.length = 0;
});

function renderControl() {
  const onDeleted = vi.fn();
  const onUnauthorized = vi.fn();
  render(<DeleteAccount email="ada@example.com" onDeleted={onDeleted} onUnauthorized={onUnauthorized} />);
  return { onDeleted, onUnauthorized, user: userEvent.setup() };
}

const dialog = () => document.querySelector("dialog") as HTMLDialogElement;

describe("DeleteAccount", () => {
  it("asks first, naming the account, and Cancel deletes nothing", async () => {
    const { onDeleted, user } = renderControl();
    expect(dialog().open).toBe(false);
    await user.click(screen.getByRole("button", { name: "Delete account…" }));
    expect(dialog().open).toBe(true);
    expect(dialog().textContent).toContain("ada@example.com");
    expect(dialog().textContent).toMatch(/all of its todos/);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(dialog().open).toBe(false);
    expect(server.seen).toHaveLength(0);
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it("deletes on confirmation and hands over to the caller", async () => {
    next = { status: 204 };
    const { onDeleted, onUnauthorized, user } = renderControl();
    await user.click(screen.getByRole("button", { name: "Delete account…" }));
    await user.click(screen.getByRole("button", { name: "Delete my account" }));
    await waitFor(() => expect(onDeleted).toHaveBeenCalledTimes(1));
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual(["DELETE /api/auth/me"]);
    expect(onUnauthorized).not.toHaveBeenCalled();
    expect(dialog().open).toBe(false);
  });

  it("shows why it failed and stays signed in when the account could not be deleted", async () => {
    next = { status: 502, body: { detail: "the todo service is unreachable" } };
    const { onDeleted, onUnauthorized, user } = renderControl();
    await user.click(screen.getByRole("button", { name: "Delete account…" }));
    await user.click(screen.getByRole("button", { name: "Delete my account" }));
    expect((await screen.findByRole("alert")).textContent).toBe("the todo service is unreachable");
    expect(dialog().open).toBe(true);
    expect((screen.getByRole("button", { name: "Delete my account" }) as HTMLButtonElement).disabled).toBe(false);
    expect(onDeleted).not.toHaveBeenCalled();
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("sends an ended session to log in instead of claiming the account was deleted", async () => {
    next = { status: 401, body: { detail: "not logged in" } };
    const { onDeleted, onUnauthorized, user } = renderControl();
    await user.click(screen.getByRole("button", { name: "Delete account…" }));
    await user.click(screen.getByRole("button", { name: "Delete my account" }));
    await waitFor(() => expect(onUnauthorized).toHaveBeenCalledTimes(1));
    expect(onDeleted).not.toHaveBeenCalled();
  });
});
