import type { NextRequest } from "next/server";
import { errorResponse, forward } from "@/lib/server/upstream-call";
import { apiRoute } from "@/lib/server/route";
import { todoPath } from "@/lib/server/routes";

type Context = { params: Promise<{ path?: string[] }> };

/** A new todo (POST /api/todos) and a change (PATCH /api/todos/{id}) are JSON; the rest has no body. */
function bodyExpected(req: NextRequest): boolean {
  return req.method === "PATCH" || (req.method === "POST" && /^\/api\/todos\/?$/.test(req.nextUrl.pathname));
}

const handle = apiRoute(
  async (req: NextRequest, ctx: Context) => {
    const path = todoPath((await ctx.params).path);
    if (!path) return errorResponse(404, "no such todo route");
    return forward(req, { service: "backend", path });
  },
  { body: bodyExpected },
);

export { handle as GET, handle as POST, handle as PATCH, handle as DELETE };
