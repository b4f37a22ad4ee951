import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 20 ms here, cheap enough for sign-on bursts.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

/** argon2id (the library's default algorithm) with a fresh salt. */
export function hashSecret(secret: string): Promise<string> {
  return hash(secret, options)
}

export async function verifySecret(storedHash: string, secret: string): Promise<boolean> {
  try {
    return await verify(storedHash, secret)
  } catch {
    return false
  }
}

let decoyHash: Promise<string> | undefined

/** Checked against when no account matches, so an unknown user ID takes as long as a wrong password. */
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashSecret('decoy password that matches no account')
  return decoyHash
}
