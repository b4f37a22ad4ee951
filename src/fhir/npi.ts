/**
 * The NPI check digit (45 CFR 162.406; CMS, "Requirements for National Provider Identifier Check Digit
 * Algorithm"): the Luhn formula over the 9 identifier digits prefixed by 80840, the card issuer prefix of US
 * health applications. Returns the digit that completes a 9-digit base.
 */
export function npiCheckDigit(base: string): number {
  if (!/^\d{9}$/.test(base)) throw new Error('An NPI base is 9 digits')
  const digits = `80840${base}`
  let sum = 0
  // Luhn: from the rightmost digit of the base (the check digit is appended after it), double every other one.
  for (let index = digits.length - 1, double = true; index >= 0; index -= 1, double = !double) {
    let digit = Number(digits[index])
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return (10 - (sum % 10)) % 10
}

/** A 10-digit NPI whose last digit is its check digit. */
export function isValidNpi(npi: string): boolean {
  return /^\d{10}$/.test(npi) && npiCheckDigit(npi.slice(0, 9)) === Number(npi[9])
}

/** The NPI for a 9-digit base: the base and its check digit. */
export function npiFor(base: string): string {
  return `${base}${npiCheckDigit(base)}`
}
