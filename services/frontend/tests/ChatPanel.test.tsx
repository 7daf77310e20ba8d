// @vitest-environment happy-dom
// The panel in a DOM, talking over real HTTP to a loopback server that answers /api/chat the
// way the frontend's route does (it stands in for our own BFF + agent).
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import ChatPanel from "@/components/ChatPanel";
import { startUpstream, type Reply } from "./upstream";
import { todo } from "./fixtures";

let next: Reply;
let server: Awaited<ReturnType<typeof startUpstream>>;

beforeAll(async () => {
  server = await startUpstream({ "POST /api/chat": () => next });
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(`${server.url}/`);
});
afterAll(() => server.close());
afterEach(() => {
  cleanup();
  server.seen.length = 0;
});

async function say(text: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Message the assistant"), `${text}{Enter}`);
}

describe("ChatPanel", () => {
  it("refreshes the list when the agent acted, and says what it did", async () => {
    next = { status: 200, body: { reply: "Added it.", actions: [{ type: "created", todo: todo({ title: "milk" }) }], mode: "offline" } };
    const onActions = vi.fn();
    render(<ChatPanel onActions={onActions} onUnauthorized={() => {}} />);
    await say("add milk");
    await screen.findByText("Added it.");
    expect(screen.getByText("Added “milk”")).toBeTruthy();
    expect(screen.getByText("offline mode")).toBeTruthy();
    expect(onActions).toHaveBeenCalledTimes(1);
    expect(JSON.parse(server.seen[0].body)).toEqual({ message: "add milk", history: [] });
  });

  it("does not reload the list for a plain answer, and sends the history next time", async () => {
    next = { status: 200, body: { reply: "Hello! Try “add …”.", actions: [], mode: "offline" } };
    const onActions = vi.fn();
    render(<ChatPanel onActions={onActions} onUnauthorized={() => {}} />);
    await say("hi");
    await screen.findByText("Hello! Try “add …”.");
    await say("and again");
    await waitFor(() => expect(server.seen).toHaveLength(2));
    expect(JSON.parse(server.seen[1].body).history).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "Hello! Try “add …”." },
    ]);
    expect(onActions).not.toHaveBeenCalled();
  });

  it("shows the agent's lines of todos as a list, ticked when done, with the text around them", async () => {
    const reply = "Your todos (4):\n• pay rent — high priority, due Fri 4 Dec\n✓ buy milk (done)\n... and 2 more.";
    next = { status: 200, body: { reply, actions: [{ type: "listed", todo: null }], mode: "offline" } };
    render(<ChatPanel onActions={() => {}} onUnauthorized={() => {}} />);
    await say("list my todos");
    const message = (await screen.findByText("Your todos (4):")).closest(".msg") as HTMLElement;
    const [todos, notes] = within(message).getAllByRole("list");
    expect(notes.textContent).toBe("Looked at 1 todo");
    const items = within(todos).getAllByRole("listitem");
    expect(items.map((li) => li.textContent)).toEqual(["pay rent — high priority, due Fri 4 Dec", "buy milk (done)"]);
    expect(items.map((li) => li.className)).toEqual(["", "done"]);
    expect(within(message).getByText("... and 2 more.").tagName).toBe("P");
    expect(message.textContent).not.toMatch(/[•✓]/);
  });

  it("keeps the line breaks of a reply without a list", async () => {
    next = { status: 200, body: { reply: "Done.\nAnything else?", actions: [], mode: "offline" } };
    render(<ChatPanel onActions={() => {}} onUnauthorized={() => {}} />);
    await say("thanks");
    const text = await screen.findByText(/^Done\./);
    expect(text.textContent).toBe("Done.\nAnything else?");
    expect(text.closest(".msg")?.querySelector("ul")).toBeNull();
  });

  it("shows the reason when the agent is down, and sends the user to log in on 401", async () => {
    next = { status: 502, body: { detail: "the chat agent is unreachable" } };
    const onUnauthorized = vi.fn();
    render(<ChatPanel onActions={() => {}} onUnauthorized={onUnauthorized} />);
    await say("list");
    await screen.findByText("the chat agent is unreachable");
    next = { status: 401, body: { detail: "not logged in" } };
    await say("list");
    await waitFor(() => expect(onUnauthorized).toHaveBeenCalledTimes(1));
  });
});
