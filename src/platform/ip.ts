/** The longest address in text (an IPv4-mapped IPv6 address), and so the width of every stored `ip` column. */
export const ipColumnLength = 45

/** A request's address as the audit and sign-on tables keep it: cut to the column, null when unknown. */
export function storedIp(ip: string | undefined): string | null {
  return ip?.slice(0, ipColumnLength) ?? null
}
