import type { NextConfig } from "next";

// Service URLs are deliberately absent here: route handlers read BACKEND_URL and AI_AGENT_URL
// from process.env per request, so one built image runs unchanged in every environment.
// The app uses none of these browser features; no page (or anything injected into one) may.
const PERMISSIONS_POLICY = [
  "accelerometer",
  "autoplay",
  "camera",
  "display-capture",
  "geolocation",
  "gyroscope",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "usb",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

const nextConfig: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [
      {
        source: "/:path*",
        // Per-request headers (Content-Security-Policy with its nonce, HSTS over https, no-store
        // on API answers) are set in proxy.ts and lib/server/route.ts.
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
        ],
      },
    ];
  },
};

export default nextConfig;
