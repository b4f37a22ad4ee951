import type { Knex } from 'knex'
import type { Db } from '../platform/db'

/**
 * The count (`n`) of office replies a member has not read: of one member by id, or of the member in another
 * statement's column (`knex.ref`), so the page header's count can ride along with the per-request viewing
 * look-up (`src/viewing/repository.ts`) instead of costing a round trip of its own.
 */
export function unreadReplies(db: Knex.Transaction | Db, member: number | Knex.Ref<string, Record<string, string>>) {
  return db('messages as um')
    .join('message_threads as ut', 'ut.id', 'um.thread_id')
    .where('ut.member_id', member)
    .where('um.author', 'office')
    .whereNull('um.read_at')
    .count<{ n: number }[]>({ n: '*' })
}
