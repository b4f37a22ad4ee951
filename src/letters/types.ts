// The mailroom's view of the letters: batches, the letters in them, and those the post office returned. A feature
// never imports another's repository (eslint.config.mjs); services.ts passes the repository in as `MailroomLetters`.

export interface BatchRow {
  id: string
  batch_date: string
  mail_date: string
  status: 'building' | 'ready' | 'printed' | 'mailed' | 'abandoned'
  piece_count: number
  page_count: number
  created_at: Date
  ready_at: Date | null
  printed_at: Date | null
  mailed_at: Date | null
  mailed_on: string | null
  files_deleted_at: Date | null
}

/** A letter in a batch, in the order they were printed. */
export interface LetterInBatch {
  id: number
  sequence: number
  page: number
  status: string
  first_name: string
  last_name: string
  returned_at: Date | null
  mailed_on: string | null
}

/** A returned letter with no newer request for its account, newest first. */
export interface ReturnedLetter {
  id: number
  batch_id: string
  sequence: number
  first_name: string
  last_name: string
  returned_at: Date
  member_id: number
  user_id: number
}

/** A letter that was once marked returned, whatever has happened to it since. */
export interface ReturnedLetterRecord {
  id: number
  user_id: number
  member_id: number
  status: string
}

/** What the mailroom reads and records of the letters. */
export interface MailroomLetters {
  listBatches(): Promise<BatchRow[]>
  findBatch(id: string): Promise<BatchRow | undefined>
  countLettersOf(batchId: string): Promise<number>
  lettersOf(batchId: string, offset: number, limit: number): Promise<LetterInBatch[]>
  markPrinted(batchId: string, at: Date): Promise<boolean>
  markMailed(batchId: string, mailedOn: string, at: Date): Promise<boolean>
  letterExists(batchId: string, sequence: number): Promise<boolean>
  markReturned(batchId: string, sequence: number, at: Date): Promise<{ userId: number; memberId: number } | undefined>
  returnedLetters(): Promise<ReturnedLetter[]>
  findReturned(id: number): Promise<ReturnedLetterRecord | undefined>
}
