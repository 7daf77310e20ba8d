import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: "Todo",
  description: "Your todos, with an assistant that can manage them for you",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request (none is prerendered at build time): the scripts of a
  // prerendered page could not carry the nonce of each response's Content-Security-Policy.
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
