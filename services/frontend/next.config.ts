import type { NextConfig } from "next";

// Service URLs are deliberately absent here: route handlers read BACKEND_URL and AI_AGENT_URL
// from process.env per request, so one built image runs unchanged in every environment.
const nextConfig: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
