// Liveness/readiness probe: the Node server answers; it calls nothing upstream.
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
