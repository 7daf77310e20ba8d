// Types of what the unit tests import from probes.mjs (the e2e files are plain JavaScript).
export interface ChunkedAnswer {
  status: number;
  headers: import("node:http").IncomingHttpHeaders;
  body: string;
  beforeAllSent: boolean;
  sentMiB: number;
}
export function chunkedPost(
  url: string,
  options: { mib: number; headers?: Record<string, string>; timeoutMs?: number },
): Promise<ChunkedAnswer>;
