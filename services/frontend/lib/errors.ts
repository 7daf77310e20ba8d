// FastAPI's error bodies (`{"detail": ...}`, from the backend and the agent, passed through by
// this server's routes) as text a person can read. No browser or server APIs: both sides can
// import it.

interface ValidationIssue {
  loc?: (string | number)[];
  msg?: string;
}

/**
 * The body's `detail` as one sentence: a string as it is, 422's list of issues joined ("title:
 * Field required; due_date: invalid date"); null when there is none.
 */
export function detailText(body: unknown): string | null {
  const detail = (body as { detail?: unknown } | null)?.detail;
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return (detail as ValidationIssue[])
      .map((d) => {
        const field = d.loc?.filter((p) => p !== "body" && p !== "query").join(".");
        return field ? `${field}: ${d.msg ?? "invalid"}` : (d.msg ?? "invalid value");
      })
      .join("; ");
  }
  return null;
}

/** What the browser shows for a failed call: the detail, else what went wrong in general. */
export function describeError(status: number, body: unknown): string {
  const detail = detailText(body);
  if (detail) return detail;
  if (status === 0) return "Cannot reach the server. Check your connection and try again.";
  return `Request failed (${status})`;
}
