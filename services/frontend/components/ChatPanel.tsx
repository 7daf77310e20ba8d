"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { api, ApiError } from "@/lib/api";
import { describeActions, historyForRequest, MAX_MESSAGE, replyBlocks, shouldRefreshList } from "@/lib/chat";
import type { ChatReply, ChatTurn } from "@/lib/types";

interface Entry extends ChatTurn {
  id: number;
  notes?: string[];
  error?: boolean;
}

interface Props {
  /** Called when the agent changed (or read) todos, so the list reloads. */
  onActions: () => void | Promise<void>;
  onUnauthorized: () => void;
}

export default function ChatPanel({ onActions, onUnauthorized }: Props) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [mode, setMode] = useState<ChatReply["mode"] | null>(null);
  const nextId = useRef(1);
  const logEnd = useRef<HTMLDivElement>(null);

  useEffect(() => {
    logEnd.current?.scrollIntoView?.({ block: "end" });
  }, [entries, busy]);

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const message = draft.trim();
    if (!message || busy) return;
    // Only real conversation turns go back to the agent, never our own error notes.
    const history = historyForRequest(entries.filter((x) => !x.error));
    setEntries((list) => [...list, { id: nextId.current++, role: "user", content: message }]);
    setDraft("");
    setBusy(true);
    try {
      const reply = await api.chat(message, history);
      setMode(reply.mode);
      setEntries((list) => [
        ...list,
        { id: nextId.current++, role: "assistant", content: reply.reply, notes: describeActions(reply.actions) },
      ]);
      if (shouldRefreshList(reply.actions)) await onActions();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return onUnauthorized();
      const text = err instanceof Error ? err.message : "The assistant could not answer.";
      setEntries((list) => [...list, { id: nextId.current++, role: "assistant", content: text, error: true }]);
    } finally {
      setBusy(false);
    }
  }

  // Enter sends, Shift+Enter makes a new line.
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  };

  return (
    <aside className="card chat" aria-labelledby="chat-title">
      <div className="panel-head">
        <h2 id="chat-title">Assistant</h2>
        {mode && (
          <span className="badge mode" title={mode === "offline" ? "Simple built-in commands, no AI model" : "AI model"}>
            {mode === "offline" ? "offline mode" : "AI"}
          </span>
        )}
      </div>
      <div className="chat-log" role="log" aria-live="polite" aria-label="Conversation with the assistant">
        {entries.length === 0 && (
          <div className="state chat-empty">
            <p>Ask me to manage your todos, for example:</p>
            <ul>
              <li>add call the dentist tomorrow</li>
              <li>list my todos</li>
              <li>complete call the dentist</li>
            </ul>
          </div>
        )}
        {entries.map((m) => (
          <div key={m.id} className={`msg ${m.role}${m.error ? " error" : ""}`}>
            <span className="sr-only">{m.role === "user" ? "You said:" : "Assistant:"}</span>
            {m.role === "assistant" && !m.error ? <Reply text={m.content} /> : <p>{m.content}</p>}
            {m.notes && m.notes.length > 0 && (
              <ul className="msg-notes">
                {m.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            )}
          </div>
        ))}
        {busy && (
          <div className="msg assistant pending" aria-label="The assistant is thinking">
            <span className="dots" aria-hidden="true">
              <i />
              <i />
              <i />
            </span>
          </div>
        )}
        <div ref={logEnd} />
      </div>
      <form className="chat-form" onSubmit={send}>
        <label className="field grow">
          <span className="sr-only">Message the assistant</span>
          <textarea
            id="chat-input"
            rows={2}
            maxLength={MAX_MESSAGE}
            placeholder="Ask the assistant…"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
          />
        </label>
        <button className="btn primary" type="submit" disabled={busy || !draft.trim()}>
          Send
        </button>
      </form>
    </aside>
  );
}

/** The agent's reply: its lines of todos as a list, the rest as text. */
function Reply({ text }: { text: string }) {
  return replyBlocks(text).map((block, i) =>
    block.kind === "text" ? (
      <p key={i}>{block.text}</p>
    ) : (
      <ul key={i} className="msg-list">
        {block.items.map((item, j) => (
          <li key={j} className={item.done ? "done" : undefined}>
            {item.text}
          </li>
        ))}
      </ul>
    ),
  );
}
