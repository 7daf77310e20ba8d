import type { NextRequest } from "next/server";
import { proxy } from "@/lib/server/proxy";

export const dynamic = "force-dynamic";

export function GET(req: NextRequest) {
  return proxy(req, { service: "backend", path: "/api/v1/users/me" });
}
