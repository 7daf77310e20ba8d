// Liveness/readiness probe: the Node server answers; it calls nothing upstream.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
