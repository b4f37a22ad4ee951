import { readFileSync } from 'node:fs'
import { z } from 'zod'

const redirectUri = z
  .string()
  .max(500)
  .refine((value) => {
    try {
      const url = new URL(value)
      // RFC 8252: a private-use scheme (reverse domain name), or http on the loopback address, or https.
      if (url.protocol === 'https:') return true
      if (url.protocol === 'http:') return ['127.0.0.1', '[::1]'].includes(url.hostname)
      return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)
    } catch {
      return false
    }
  }, 'a redirect URI must use a reverse-domain private-use scheme, https, or http on 127.0.0.1 or [::1]')
  // The app must send it exactly as registered, so it is registered as a URL is written once parsed.
  .refine((value) => URL.canParse(value) && new URL(value).href === value, {
    message: 'write the redirect URI in full, as a browser would (lowercase scheme, a path of at least "/")',
  })

const registration = z.object({
  client_id: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,99}$/, 'use 3–100 lowercase letters, digits, ., _ and -'),
  client_name: z.string().min(2).max(100),
  redirect_uris: z.array(redirectUri).min(1).max(10),
})

export type AppRegistration = z.output<typeof registration>

/**
 * The apps registered with the portal, read from the clients file at start-up. Every app is a public native
 * client (RFC 8252): it keeps no secret, proves itself with PKCE, and gets codes only at its own redirect URIs.
 */
export function loadAppRegistrations(file: string): AppRegistration[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(`SMART_CLIENTS_FILE ${file} could not be read as JSON: ${(error as Error).message}`)
  }
  const result = z.array(registration).max(100).safeParse(parsed)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new Error(`SMART_CLIENTS_FILE ${file} is not a valid list of apps:\n${problems.join('\n')}`)
  }
  const ids = result.data.map((client) => client.client_id)
  if (new Set(ids).size !== ids.length) throw new Error(`SMART_CLIENTS_FILE ${file} names an app twice`)
  return result.data
}

/**
 * The form-action sources that let a page's form end at one of the app's redirect URIs: its origin, or for a
 * private-use scheme the scheme itself (a CSP source cannot name a path in a URI without a host).
 */
export function formActionSources(redirectUris: string[]): string[] {
  return [
    ...new Set(
      redirectUris.map((uri) => {
        const url = new URL(uri)
        return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol
      }),
    ),
  ]
}
