import { describe, expect, it } from "vitest";
import { describeError } from "@/lib/errors";
import { describeActions, historyForRequest, MAX_HISTORY, replyBlocks, shouldRefreshList } from "@/lib/chat";
import type { ChatTurn } from "@/lib/types";
import { todo } from "./fixtures";

describe("chat actions", () => {
  it("refreshes the list only when the agent reports actions", () => {
    expect(shouldRefreshList([])).toBe(false);
    expect(shouldRefreshList(undefined)).toBe(false);
    expect(shouldRefreshList([{ type: "created", todo: todo({ title: "milk" }) }])).toBe(true);
    expect(shouldRefreshList([{ type: "deleted", todo: null }])).toBe(true);
  });

  it("describes what the agent did, one line per change", () => {
    expect(
      describeActions([
        { type: "created", todo: todo({ title: "buy milk" }) },
        { type: "completed", todo: todo({ title: "call mum" }) },
        { type: "deleted", todo: null },
        { type: "listed", todo: todo() },
        { type: "listed", todo: todo() },
      ]),
    ).toEqual(["Added “buy milk”", "Completed “call mum”", "Deleted", "Looked at 2 todos"]);
  });

  it("sends at most the agent's history limit, latest turns kept, extra fields dropped", () => {
    const turns = Array.from({ length: 25 }, (_, i) => ({
      role: i % 2 ? "assistant" : "user",
      content: `m${i}`,
      id: i,
    })) as (ChatTurn & { id: number })[];
    const sent = historyForRequest(turns);
    expect(sent).toHaveLength(MAX_HISTORY);
    expect(sent[0]).toEqual({ role: "assistant", content: "m5" });
    expect(sent.at(-1)).toEqual({ role: "user", content: "m24" });
  });
});

describe("error messages", () => {
  it("shows the backend's detail as is", () => {
    expect(describeError(409, { detail: "email already registered" })).toBe("email already registered");
  });

  it("turns FastAPI's 422 list into one readable line", () => {
    const body = {
      detail: [
        { loc: ["body", "password"], msg: "String should have at least 8 characters" },
        { loc: ["body", "email"], msg: "value is not a valid email address" },
      ],
    };
    expect(describeError(422, body)).toBe(
      "password: String should have at least 8 characters; email: value is not a valid email address",
    );
  });

  it("explains a network failure and unknown errors", () => {
    expect(describeError(0, null)).toMatch(/Cannot reach the server/);
    expect(describeError(500, "<html>")).toBe("Request failed (500)");
  });
});

describe("reply layout", () => {
  it("groups consecutive list lines, keeps the text between them, drops the marks", () => {
    expect(replyBlocks("Your todos (3):\n• a — high priority\n✓ b (done)\n- c\n... and 1 more.")).toEqual([
      { kind: "text", text: "Your todos (3):" },
      {
        kind: "list",
        items: [
          { done: false, text: "a — high priority" },
          { done: true, text: "b (done)" },
          { done: false, text: "c" },
        ],
      },
      { kind: "text", text: "... and 1 more." },
    ]);
  });

  it("leaves plain replies as text, line breaks and all", () => {
    expect(replyBlocks("Added \"milk\".\nAnything else?")).toEqual([{ kind: "text", text: 'Added "milk".\nAnything else?' }]);
    expect(replyBlocks("-5 degrees")).toEqual([{ kind: "text", text: "-5 degrees" }]);
  });
});
