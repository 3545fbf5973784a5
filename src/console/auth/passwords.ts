import bcrypt from "bcryptjs";

/**
 * bcrypt's cost: 2^12 rounds, about 0.25 s on this project's 2-core machines, which makes guessing a
 * stolen hash slow while a sign-in stays quick. bcryptjs is plain JavaScript (no native build, no
 * download at install) and maintained; bcrypt hashes are portable to any other stack.
 */
export const PASSWORD_COST = 12;

/** The shortest console password accepted (the CLI and settings refuse shorter ones). */
export const MIN_PASSWORD_LENGTH = 10;

/** Hashes a console password for storage (`$2b$12$…`); tests pass a lower cost. */
export function hashPassword(password: string, cost = PASSWORD_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

/**
 * Checks a password against a stored hash in constant time. A missing user is checked against a
 * dummy hash of the same cost, so the answer takes as long whether or not the name exists.
 */
export async function verifyPassword(password: string, hash: string | undefined, cost = PASSWORD_COST): Promise<boolean> {
  const ok = await bcrypt.compare(password, hash ?? (cost === PASSWORD_COST ? DUMMY_HASH : await dummyHash(cost)));
  return ok && hash !== undefined;
}

const dummies = new Map<number, Promise<string>>();
function dummyHash(cost: number): Promise<string> {
  if (!dummies.has(cost)) dummies.set(cost, bcrypt.hash(`dummy-${Math.random()}`, cost));
  return dummies.get(cost)!;
}

// A valid cost-12 hash of a random string: comparing against it costs what a real check costs.
const DUMMY_HASH = "$2b$12$myf04aptKt1IiW6QJu0oNOm3E2swraz9ouGFBoA076w3tgIcGBXgG";
