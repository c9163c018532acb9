import { readFileSync } from "node:fs";
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/** The persisted operations manifest, written by `npm run generate` (codegen.ts) and shipped with the build for the router. */
function persistedDocumentsManifest(): Plugin {
  const manifest = path.join(import.meta.dirname, "src/gql/persisted-documents.json");
  return {
    name: "storefront:persisted-documents",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "persisted-documents.json", source: readFileSync(manifest, "utf8") });
    },
  };
}

export default defineConfig({
  plugins: [react(), persistedDocumentsManifest()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 3000, strictPort: true },
  build: { sourcemap: true },
});
