import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App.tsx";
import { loadConfig } from "./config.ts";
import { createSessionStore } from "./session.ts";
import { ShopProvider } from "./shop.tsx";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

try {
  const config = await loadConfig();
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <ShopProvider config={config} sessions={createSessionStore()}>
          <App />
        </ShopProvider>
      </BrowserRouter>
    </StrictMode>,
  );
} catch (error) {
  root.textContent = `The shop could not start: ${(error as Error).message}`;
  throw error;
}
