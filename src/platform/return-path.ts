/** Only paths on this site are followed after sign-on, so a crafted link cannot send a member elsewhere. */
export function safeReturnPath(candidate: unknown): string | undefined {
  if (typeof candidate !== 'string') return undefined
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.startsWith('/\\')) return undefined
  return candidate.length <= 500 ? candidate : undefined
}
