import type { SessionUser } from '../platform/session'

// An account as stored, its user ID key, and the one look-up other features make of accounts: a feature never
// imports another's repository (eslint.config.mjs); services.ts passes the UserRepository in as a `UserLookup`.

export interface UserRecord {
  id: number
  user_id: string
  user_id_key: string
  password_hash: string
  role: SessionUser['role']
  display_name: string
  member_id: number | null
  email: string | null
}

/** User IDs are unique whatever their case; lookups go through this key. */
export function userIdKey(userId: string): string {
  return userId.trim().toLowerCase()
}

/** Who a user is, by their numeric id: the apps' sign-on and the API ask it of every token's account. */
export interface UserLookup {
  findById(id: number): Promise<UserRecord | undefined>
}
