import { forward } from "@/lib/server/upstream-call";
import { apiRoute } from "@/lib/server/route";

export const POST = apiRoute((req) => forward(req, { service: "agent", path: "/api/v1/chat" }), { body: true });
