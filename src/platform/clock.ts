/** The current time, passed in so tests can move it. */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()

/** A clock tests can set and advance. */
export function fixedClock(start: Date): Clock & { advance(ms: number): void; set(at: Date): void } {
  let now = start.getTime()
  const clock = (() => new Date(now)) as Clock & { advance(ms: number): void; set(at: Date): void }
  clock.advance = (ms) => {
    now += ms
  }
  clock.set = (at) => {
    now = at.getTime()
  }
  return clock
}
