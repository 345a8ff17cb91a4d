// argon2id password hashes. The cost is a setting: production uses argon2's defaults
// (64 MiB, 3 passes); the test suite uses a light one so that it can create many members.
import argon2 from 'argon2';

export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
}

export const productionCost: PasswordCost = { memoryCost: 65536, timeCost: 3 };
export const testCost: PasswordCost = { memoryCost: 1024, timeCost: 1 };

export function hashPassword(password: string, cost: PasswordCost): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

/** Whether the password matches; a stored hash argon2 cannot read is an error, not a wrong password. */
export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password);
}

// Verified against when the login names nobody, so that an unknown user and a wrong
// password take the same time.
let decoy: Promise<string> | undefined;
export function decoyHash(cost: PasswordCost): Promise<string> {
  decoy ??= hashPassword('not a real password, never matches', cost);
  return decoy;
}
