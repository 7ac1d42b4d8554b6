/**
 * Local authentication: one HS256 secret per checkout, generated on first use
 * and kept in `.data/dev-secret` (gitignored), so tokens minted by
 * `npm run token` stay valid across `npm start` restarts. AUTH_JWT_SECRET, when
 * set, wins.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SignJWT } from "jose";

export const DEV_TOKEN_TTL = "12h";

export async function devJwtSecret(dataDir: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env.AUTH_JWT_SECRET) return env.AUTH_JWT_SECRET;
  const file = join(dataDir, "dev-secret");
  const stored = await readFile(file, "utf8").then(
    (text) => text.trim(),
    () => "",
  );
  if (stored) return stored;
  const secret = randomBytes(32).toString("base64url");
  await mkdir(dataDir, { recursive: true });
  // `wx`: if another process created it meanwhile, keep theirs.
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  return (await readFile(file, "utf8")).trim();
}

/** A token the HTTP functions accept for `userId` (HS256, subject = userId). */
export function mintDevToken(userId: string, secret: string, expiresIn: string | number = DEV_TOKEN_TTL): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
