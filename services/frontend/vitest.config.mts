import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // lib/server/* starts with `import "server-only"`, which Next.js resolves itself (an empty
      // module on the server, a build error in client code). Tests run that code on the server.
      "server-only": fileURLToPath(new URL("node_modules/next/dist/compiled/server-only/empty.js", import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    include: ["tests/**/*.test.{ts,tsx}"],
    environment: "node",
    // A zone with daylight saving, so date arithmetic is tested across a clock change.
    env: { TZ: "Europe/London" },
  },
});
