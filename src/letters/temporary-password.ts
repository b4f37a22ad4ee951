import { randomInt } from 'node:crypto'
import { hash } from '@node-rs/argon2'

// No look-alikes: no 0/O/o, 1/l/I/i/L, so a password read off paper is typed right.
export const temporaryPasswordAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789'
export const temporaryPasswordLength = 12
export const temporaryPasswordValidDays = 21

/** A random temporary password: 12 characters of 54, about 69 bits. */
export function generateTemporaryPassword(length = temporaryPasswordLength): string {
  let password = ''
  for (let i = 0; i < length; i++) password += temporaryPasswordAlphabet[randomInt(temporaryPasswordAlphabet.length)]
  return password
}

/**
 * argon2id with lighter settings than chosen passwords: the secret is random with ~69 bits, so the cost
 * buys little, while a nightly batch hashes ten thousand of them.
 */
export function hashTemporaryPassword(password: string): Promise<string> {
  return hash(password, { memoryCost: 8192, timeCost: 1, parallelism: 1 })
}

/** Letters print the password in groups of four so it can be read and typed without losing one's place. */
export function groupForPrint(password: string): string {
  return password.match(/.{1,4}/g)?.join(' ') ?? password
}
