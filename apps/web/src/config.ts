// Where the app finds the router: /config.json next to index.html, read once before the app renders, so one build
// serves every environment (the operator edits or serves config.json; `npm start` answers it itself).

export interface AppConfig {
  /** The router's GraphQL endpoint, e.g. https://api.example.com/graphql. */
  readonly graphqlUrl: string;
  /** Send manifest ids (the router has this build's persisted-documents.json) instead of operation texts. */
  readonly persistedDocuments: boolean;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const config = (await response.json()) as Partial<AppConfig>;
  if (typeof config.graphqlUrl !== "string") throw new Error("config.json names no graphqlUrl");
  return { graphqlUrl: new URL(config.graphqlUrl, window.location.href).href, persistedDocuments: config.persistedDocuments === true };
}
