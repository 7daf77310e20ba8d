// Chat panel logic that does not need React.
import type { ChatAction, ChatTurn } from "./types";

/** The agent accepts at most this many earlier turns. */
export const MAX_HISTORY = 20;
export const MAX_MESSAGE = 2000;

/** The agent touched (or listed) todos: reload the list so it shows what the agent did. */
export function shouldRefreshList(actions: readonly ChatAction[] | undefined): boolean {
  return Array.isArray(actions) && actions.length > 0;
}

/** The history to send with the next message: the latest turns, within the agent's limit. */
export function historyForRequest(turns: readonly ChatTurn[]): ChatTurn[] {
  return turns.slice(-MAX_HISTORY).map(({ role, content }) => ({ role, content }));
}

const VERB: Record<ChatAction["type"], string> = {
  created: "Added",
  updated: "Updated",
  completed: "Completed",
  reopened: "Reopened",
  deleted: "Deleted",
  listed: "Listed",
};

/** One short line per action, shown under the agent's reply, e.g. `Added "buy milk"`. */
export function describeActions(actions: readonly ChatAction[]): string[] {
  const lines: string[] = [];
  const listed = actions.filter((a) => a.type === "listed").length;
  for (const a of actions) {
    if (a.type === "listed") continue;
    lines.push(a.todo ? `${VERB[a.type]} “${a.todo.title}”` : VERB[a.type]);
  }
  if (listed > 0) lines.push(`Looked at ${listed} todo${listed === 1 ? "" : "s"}`);
  return lines;
}

/** A piece of an assistant's reply as the panel shows it: running text, or a list. */
export type ReplyBlock = { kind: "text"; text: string } | { kind: "list"; items: { done: boolean; text: string }[] };

/** A list line as the agent writes them: `• open todo`, `✓ done todo` (or a model's `- `, `* `). */
const LIST_ITEM = /^\s*([•✓*-])\s+(\S.*)$/u;

/**
 * The reply split into text and lists: consecutive list lines become one list (the mark is
 * the list's to draw, ✓ for a done todo), the lines between stay text with their line breaks.
 */
export function replyBlocks(reply: string): ReplyBlock[] {
  const blocks: ReplyBlock[] = [];
  for (const line of reply.split(/\r?\n/)) {
    const item = LIST_ITEM.exec(line);
    const last = blocks.at(-1);
    if (item) {
      const entry = { done: item[1] === "✓", text: item[2].trim() };
      if (last?.kind === "list") last.items.push(entry);
      else blocks.push({ kind: "list", items: [entry] });
    } else if (last?.kind === "text") {
      last.text += `\n${line}`;
    } else {
      blocks.push({ kind: "text", text: line });
    }
  }
  return blocks
    .map((b) => (b.kind === "text" ? { ...b, text: b.text.trim() } : b))
    .filter((b) => b.kind === "list" || b.text !== "");
}
