// Runs before npm install, npm start and npm test (package.json pre-scripts). Plain JavaScript with no syntax newer
// than ES2017, so any Node can read it: an old Node gets one line saying what to install instead of the
// ERR_UNKNOWN_FILE_EXTENSION that the first .ts file would give. On npm install, .npmrc's engine-strict refuses first.
import { readFileSync } from "node:fs";

const engines = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).engines;
const required = Number(/\d+/.exec(engines.node)[0]);
const current = process.versions.node;

if (Number(current.split(".")[0]) < required) {
  console.error(
    `Storefront needs Node.js ${required} LTS or newer; this is Node ${current}. Install Node ${required} (see .nvmrc) and run npm install again.`,
  );
  process.exit(1);
}
