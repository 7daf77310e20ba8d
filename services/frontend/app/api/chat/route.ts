import { proxy } from "@/lib/server/proxy";
import { apiRoute } from "@/lib/server/route";

export const dynamic = "force-dynamic";

export const POST = apiRoute((req) => proxy(req, { service: "agent", path: "/api/v1/chat" }), { body: true });
