// Where the two upstream services live. Read from process.env on every call (never at module
// load, never NEXT_PUBLIC_*): the same build runs against whatever the deployment sets.
import "server-only";

export type Service = "backend" | "agent";

interface ServiceInfo {
  envVar: string;
  name: string;
  timeoutMs: number;
}

export const SERVICES: Record<Service, ServiceInfo> = {
  backend: { envVar: "BACKEND_URL", name: "the todo service", timeoutMs: 15_000 },
  // A chat turn may wait on a language model; give it longer.
  agent: { envVar: "AI_AGENT_URL", name: "the chat agent", timeoutMs: 90_000 },
};

export class MissingConfigError extends Error {}

export function serviceUrl(service: Service, path: string, search = ""): URL {
  const { envVar } = SERVICES[service];
  const base = process.env[envVar]?.trim();
  if (!base) {
    throw new MissingConfigError(`${envVar} is not set on the frontend server`);
  }
  const url = new URL(base.replace(/\/+$/, "") + path);
  url.search = search;
  return url;
}
