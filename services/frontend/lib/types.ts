// Shapes from docs/contracts.md.
export type Priority = "low" | "medium" | "high";

export interface User {
  id: number;
  email: string;
  created_at: string;
}

export interface Todo {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  priority: Priority;
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface TodoPage {
  items: Todo[];
  total: number;
  limit: number;
  offset: number;
}

/** What the todo page is rendered with on the server: the user and their first page of todos. */
export interface FirstPage {
  user: User;
  todos: TodoPage;
}

export type ChatActionType = "created" | "updated" | "completed" | "reopened" | "deleted" | "listed";

export interface ChatAction {
  type: ChatActionType;
  todo: Todo | null;
}

export interface ChatReply {
  reply: string;
  actions: ChatAction[];
  mode: "openai" | "offline";
}

export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}
