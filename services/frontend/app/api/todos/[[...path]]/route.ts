import type { NextRequest } from "next/server";
import { errorResponse, proxy } from "@/lib/server/proxy";
import { todoPath } from "@/lib/server/routes";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ path?: string[] }> };

async function handle(req: NextRequest, ctx: Context) {
  const path = todoPath((await ctx.params).path);
  if (!path) return errorResponse(404, "no such todo route");
  return proxy(req, { service: "backend", path });
}

export { handle as GET, handle as POST, handle as PATCH, handle as PUT, handle as DELETE };
