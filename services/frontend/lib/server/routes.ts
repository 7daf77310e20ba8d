/**
 * Maps /api/todos[/...] segments to the backend path. Only the contract's shapes are forwarded:
 * /api/todos, /api/todos/{id}, /api/todos/{id}/complete, /api/todos/{id}/reopen.
 * Anything else (including traversal attempts) gives null and never reaches the backend.
 */
import "server-only";
export function todoPath(segments: string[] = []): string | null {
  const [id, action, ...rest] = segments;
  if (segments.length === 0) return "/api/v1/todos";
  if (!/^\d{1,18}$/.test(id) || rest.length > 0) return null;
  if (action === undefined) return `/api/v1/todos/${id}`;
  if (action === "complete" || action === "reopen") return `/api/v1/todos/${id}/${action}`;
  return null;
}
