// Which methods each path of this server answers; http-guard.ts answers every other method with
// 405 and `Allow` before Next.js sees the request. The route handlers export exactly these
// (tests/methods.test.ts checks both against each other). HEAD comes with GET, OPTIONS with all.
import "server-only";

const GET = ["GET", "HEAD"];

/** API paths, in the shapes the route handlers accept (todos: lib/server/routes.ts). */
const API: [RegExp, string[]][] = [
  [/^\/api\/healthz$/, GET],
  [/^\/api\/auth\/(?:login|register|logout)$/, ["POST"]],
  [/^\/api\/auth\/me$/, [...GET, "DELETE"]],
  [/^\/api\/chat$/, ["POST"]],
  [/^\/api\/todos$/, [...GET, "POST"]],
  [/^\/api\/todos\/\d{1,18}$/, [...GET, "PATCH", "DELETE"]],
  [/^\/api\/todos\/\d{1,18}\/(?:complete|reopen)$/, ["POST"]],
];

/**
 * The methods `pathname` answers, OPTIONS included; null for a path that is Next's to answer:
 * one under /api that no route has (Next's 404), and the development server's own tools
 * (`/__nextjs_...`, POSTed to by its error overlay; absent in production). Pages, static files
 * and everything else: GET and HEAD only (there are no server actions, so no page takes a POST).
 */
export function allowedMethods(pathname: string): string[] | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (path.startsWith("/__nextjs")) return null;
  if (path === "/api" || path.startsWith("/api/")) {
    const match = API.find(([pattern]) => pattern.test(path));
    return match ? [...match[1], "OPTIONS"] : null;
  }
  return [...GET, "OPTIONS"];
}
