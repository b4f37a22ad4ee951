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

/**
 * A clock that reads `start` at the moment it is made and runs on from there in real time: what a process
 * spawned by a test gets (`CLOCK_AT`), so it lives on the test's clock rather than beside it.
 */
export function clockStartingAt(start: Date, realClock: Clock = systemClock): Clock {
  const offset = start.getTime() - realClock().getTime()
  return () => new Date(realClock().getTime() + offset)
}

/** The process's clock: the real one, or one that started at `CLOCK_AT` (development and tests only). */
export function configuredClock(clockAt: Date | undefined): Clock {
  return clockAt ? clockStartingAt(clockAt) : systemClock
}

/** The environment a spawned process needs to read the time from `clock` (see `CLOCK_AT` in config). */
export function clockEnvironment(clock: Clock): { CLOCK_AT: string } {
  return { CLOCK_AT: clock().toISOString() }
}
