// Runs once when the server process starts (Next.js instrumentation hook), before it answers.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { installHttpGuard } = await import("./lib/server/http-guard");
    installHttpGuard();
  }
}
