import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import type { Request } from 'express'
import type { Clock } from '../platform/clock'
import { issuer } from './codes'
import type { TwoStepRepository } from './repository'
import type { TwoStepService } from './service'

/** Where passkeys live: the site's origin, and its host name as the relying party's id. */
export interface RelyingParty {
  origin: string
  id: string
}

/**
 * In production the public address alone (a passkey is bound to it); elsewhere the address the browser used,
 * since tests and developers reach the portal on ports of their own.
 */
export function relyingPartyFor(req: Request, config: { production: boolean; publicUrl: string }): RelyingParty {
  const origin = config.production ? new URL(config.publicUrl).origin : `${req.protocol}://${req.get('host') ?? ''}`
  return { origin, id: new URL(origin).hostname }
}

declare module 'express-session' {
  interface SessionData {
    /** The challenge of the passkey ceremony this page started. */
    passkeyChallenge?: string
  }
}

/**
 * Passkeys (WebAuthn), an enhancement where the browser has script: options go into the page, the browser's
 * answer comes back in an ordinary form post. The challenge lives in the session; the public key in the table.
 */
export class PasskeyService {
  constructor(
    private readonly repository: TwoStepRepository,
    private readonly twoStep: TwoStepService,
    private readonly clock: Clock,
  ) {}

  async registrationOptions(rp: RelyingParty, user: { id: number; userId: string }) {
    const existing = (await this.repository.methods(user.id)).filter((row) => row.kind === 'passkey')
    return generateRegistrationOptions({
      rpName: issuer,
      rpID: rp.id,
      userName: user.userId,
      userID: new TextEncoder().encode(`user-${user.id}`),
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({ id: row.credential_id!, transports: transportsOf(row.transports) })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    })
  }

  /** Adds the passkey when the browser's answer matches the challenge, this site and a fresh credential. */
  async register(
    rp: RelyingParty,
    userId: number,
    challenge: string,
    posted: unknown,
    label: string,
  ): Promise<boolean> {
    const response = parseJson<RegistrationResponseJSON>(posted)
    if (!response) return false
    try {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        requireUserVerification: false,
      })
      if (!result.verified) return false
      const { credential } = result.registrationInfo
      await this.twoStep.addPasskey(userId, {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        signCount: credential.counter,
        transports: credential.transports?.join(','),
        label,
      })
      return true
    } catch {
      return false
    }
  }

  async authenticationOptions(rp: RelyingParty, userId: number) {
    const passkeys = (await this.repository.methods(userId)).filter((row) => row.kind === 'passkey')
    return generateAuthenticationOptions({
      rpID: rp.id,
      allowCredentials: passkeys.map((row) => ({ id: row.credential_id!, transports: transportsOf(row.transports) })),
      userVerification: 'preferred',
    })
  }

  /** True when the answer is signed by one of this account's passkeys for this challenge and site. */
  async authenticate(rp: RelyingParty, userId: number, challenge: string, posted: unknown): Promise<boolean> {
    const response = parseJson<AuthenticationResponseJSON>(posted)
    if (!response || typeof response.id !== 'string') return false
    const row = await this.repository.passkeyByCredentialId(response.id)
    if (!row || row.user_id !== userId) return false
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.id,
        credential: {
          id: row.credential_id!,
          publicKey: new Uint8Array(Buffer.from(row.public_key!, 'base64url')),
          counter: Number(row.sign_count ?? 0),
          transports: transportsOf(row.transports),
        },
        requireUserVerification: false,
      })
      if (!result.verified) return false
      await this.repository.markMethodUsed(row.id, this.clock(), result.authenticationInfo.newCounter)
      return true
    } catch {
      return false
    }
  }
}

function transportsOf(stored: string | null): AuthenticatorTransportFuture[] | undefined {
  return stored ? (stored.split(',') as AuthenticatorTransportFuture[]) : undefined
}

function parseJson<T>(posted: unknown): T | undefined {
  if (typeof posted !== 'string' || posted.length > 20_000) return undefined
  try {
    const value = JSON.parse(posted) as unknown
    return value && typeof value === 'object' ? (value as T) : undefined
  } catch {
    return undefined
  }
}
