import type { NextRequest } from "next/server";
import { proxy } from "@/lib/server/proxy";

export const dynamic = "force-dynamic";

export function POST(req: NextRequest) {
  return proxy(req, { service: "agent", path: "/api/v1/chat" });
}
