/** What the second step's pages say about codes. */
export const codeMessages = {
  missing: 'Enter the code',
  tooLong: 'The code must be 20 characters or fewer',
  wrong: 'The code is not right. Check it and try again.',
  reused: 'That code has already been used. Enter a new one.',
  expired: 'That code has expired. Ask for a new code.',
  emailCapped: 'We have sent as many codes as we can for now. Wait an hour, or use another way.',
  emailNotSent: 'We could not send the email just now. Try again in a few minutes, or use another way.',
}

/** Why no code was emailed, in the member's words. */
export const unsentCodeMessage = (sent: 'capped' | 'no-address' | 'not-sent') =>
  sent === 'capped' ? codeMessages.emailCapped : codeMessages.emailNotSent
