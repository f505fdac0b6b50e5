import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Built files are served by Django (whitenoise) under /static/.
export default defineConfig({
  plugins: [react()],
  base: "/static/",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: { "/api": "http://127.0.0.1:8000", "/v2": "http://127.0.0.1:8000" },
    // The Flex agent console is a plain script Django serves; its vitest reads it from there.
    fs: { allow: [".", "../flex/static/flex", "../webchat/static/webchat"] },
  },
  test: { environment: "jsdom" },
});
