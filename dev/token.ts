/**
 * `npm run token -- <userId>`: prints a bearer token for that user, signed with
 * the secret `npm start` gives the functions (valid 12 h).
 */
import { devJwtSecret, mintDevToken } from "../toolkit/dev-auth.js";
import { loadDotEnv } from "../toolkit/dot-env.js";
import { DEV_DATA_DIR } from "../toolkit/paths.js";

loadDotEnv();

const userId = process.argv[2];
if (!userId) {
  console.error("Usage: npm run token -- <userId>");
  process.exit(2);
}
console.log(await mintDevToken(userId, await devJwtSecret(DEV_DATA_DIR)));
