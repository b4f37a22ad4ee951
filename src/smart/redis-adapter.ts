import type { Redis } from 'ioredis'
import type { Adapter, AdapterPayload } from 'oidc-provider'
import type { Clock } from '../platform/clock'

// Models whose records belong to a grant: revoking the grant deletes them all.
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken'])
// Models used once: a code or a rotated refresh token is marked consumed, not deleted, so reuse is detected.
const consumable = new Set(['AuthorizationCode', 'RefreshToken'])

/**
 * oidc-provider's storage in Redis, under the portal's key prefix, so any web process can serve any step of a
 * sign-on and every token outlives the process that issued it. Redis expires each record with its token.
 */
export function redisAdapterFactory(redis: Redis, prefix: string, clock: Clock) {
  const base = `${prefix}:oidc`
  const grantKey = (grantId: string) => `${base}:grant:${grantId}`
  const uidKey = (uid: string) => `${base}:uid:${uid}`

  return class RedisAdapter implements Adapter {
    constructor(private readonly name: string) {}

    private key(id: string): string {
      return `${base}:${this.name}:${id}`
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = this.key(id)
      const multi = redis.multi()
      if (consumable.has(this.name)) {
        multi.del(key)
        multi.hset(key, { payload: JSON.stringify(payload) })
      } else {
        multi.set(key, JSON.stringify(payload))
      }
      if (expiresIn) multi.expire(key, expiresIn)
      if (grantable.has(this.name) && payload.grantId) {
        const grant = grantKey(payload.grantId)
        multi.rpush(grant, key)
        // The list lives as long as the longest-lived token in it.
        const ttl = await redis.ttl(grant)
        if (expiresIn > ttl) multi.expire(grant, expiresIn)
      }
      if (payload.uid) {
        multi.set(uidKey(payload.uid), id)
        if (expiresIn) multi.expire(uidKey(payload.uid), expiresIn)
      }
      await multi.exec()
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (consumable.has(this.name)) {
        const data = await redis.hgetall(this.key(id))
        if (!data.payload) return undefined
        const { payload, ...rest } = data
        return {
          ...(JSON.parse(payload) as AdapterPayload),
          ...(rest.consumed ? { consumed: Number(rest.consumed) } : {}),
        }
      }
      const data = await redis.get(this.key(id))
      return data ? (JSON.parse(data) as AdapterPayload) : undefined
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(uidKey(uid))
      return id ? this.find(id) : undefined
    }

    // Device flow only, which the portal does not offer.
    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined
    }

    async destroy(id: string): Promise<void> {
      await redis.del(this.key(id))
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const keys = await redis.lrange(grantKey(grantId), 0, -1)
      const multi = redis.multi()
      for (const key of keys) multi.del(key)
      multi.del(grantKey(grantId))
      await multi.exec()
    }

    async consume(id: string): Promise<void> {
      await redis.hset(this.key(id), 'consumed', Math.floor(clock().getTime() / 1000))
    }
  }
}
