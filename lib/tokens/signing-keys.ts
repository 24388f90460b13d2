import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

/** The one algorithm tokens are signed with: Ed25519 (EdDSA). */
export const TOKEN_ALGORITHM = "EdDSA";

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/**
 * SigningKeys are the issuer's keys: the first signs, all are published, so tokens signed by a key
 * that was rotated out of first place stay verifiable until they expire.
 */
export interface SigningKeys {
  readonly active: SigningKey;
  readonly all: readonly SigningKey[];
  /** The public JWK Set, as served at the JWKS route. */
  jwks(): { keys: JWK[] };
}

export class SigningKeyError extends Error {
  override readonly name = "SigningKeyError";
}

/**
 * parseSigningKeys reads private JWKs (a JSON array, or `{"keys": [...]}`), each an OKP Ed25519 key
 * with a `kid`. The first is the signer; list the next key first to rotate, and drop the old one
 * once its tokens have expired.
 */
export async function parseSigningKeys(json: string): Promise<SigningKeys> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SigningKeyError("signing keys are not valid JSON");
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new SigningKeyError("signing keys must be a non-empty JSON array of private JWKs");
  }
  const keys = await Promise.all(list.map((jwk, i) => importSigningKey(jwk as JWK, i)));
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length) throw new SigningKeyError("signing keys repeat a kid");
  return signingKeys(keys);
}

async function importSigningKey(jwk: JWK, index: number): Promise<SigningKey> {
  if (jwk?.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) {
    throw new SigningKeyError(
      `signing key ${index} is not a private Ed25519 JWK (kty OKP, crv Ed25519, d, x)`,
    );
  }
  if (!jwk.kid) throw new SigningKeyError(`signing key ${index} has no kid`);
  const privateKey = (await importJWK(jwk, TOKEN_ALGORITHM)) as CryptoKey;
  const { d: _private, ...publicJwk } = jwk;
  return {
    kid: jwk.kid,
    privateKey,
    publicJwk: {
      kty: "OKP",
      crv: "Ed25519",
      x: publicJwk.x,
      kid: jwk.kid,
      alg: TOKEN_ALGORITHM,
      use: "sig",
    },
  };
}

function signingKeys(keys: SigningKey[]): SigningKeys {
  return {
    active: keys[0]!,
    all: keys,
    jwks: () => ({ keys: keys.map((key) => key.publicJwk) }),
  };
}

/** generateSigningKeyJwk makes a new private Ed25519 JWK with a fresh kid. */
export async function generateSigningKeyJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOKEN_ALGORITHM, {
    crv: "Ed25519",
    extractable: true,
  });
  return { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: TOKEN_ALGORITHM, use: "sig" };
}

/**
 * loadOrCreateSigningKeys reads the keys kept in `path`, creating one key there on first use, so a
 * restart of a laptop's embedded start does not sign everyone out. The file is written atomically
 * and readable by the owner only.
 */
export async function loadOrCreateSigningKeys(path: string): Promise<SigningKeys> {
  try {
    return await parseSigningKeys(await readFile(path, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const json = JSON.stringify([await generateSigningKeyJwk()]);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, json, { mode: 0o600 });
  await rename(temporary, path);
  // Two processes may race on the first start; whichever rename landed last is the one both use.
  return parseSigningKeys(await readFile(path, "utf8"));
}
