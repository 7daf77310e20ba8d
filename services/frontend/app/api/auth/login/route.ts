import { openSession, readCredentials } from "@/lib/server/auth";
import { apiRoute } from "@/lib/server/route";

export const POST = apiRoute(async (req) => openSession(req, await readCredentials(req), 200), { body: true });
