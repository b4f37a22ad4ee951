const dollars = {
  en: new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }),
  es: new Intl.NumberFormat('es-US', { style: 'currency', currency: 'USD' }),
}

/** Money is kept in whole cents; this is how members read it: "$1,250.00" (the same in US Spanish). */
export function formatMoney(cents: number, locale: keyof typeof dollars = 'en'): string {
  return dollars[locale].format(cents / 100)
}

/**
 * Dollars as a member types them ("1250", "$1,250.50", "1250.5") to whole cents; undefined when it is not an
 * amount. Digits only, so the result is exact (no floating point).
 */
export function parseDollars(typed: string): number | undefined {
  const match = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(typed.trim())
  if (!match) return undefined
  const whole = match[1].replaceAll(',', '')
  // Bounded so Number stays exact; callers set their own, lower, limits.
  if (whole.length > 12) return undefined
  const fraction = (match[2] ?? '').padEnd(2, '0')
  return Number(whole) * 100 + Number(fraction)
}
