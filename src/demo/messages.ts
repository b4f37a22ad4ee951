import type { Knex } from 'knex'

const hour = 3_600_000

/**
 * A conversation or two so the message centre and the office inbox show something on the first visit: Alex
 * asked his primary care office a question that the nurse answered (and he read); Pat's question to the
 * geriatrics office is waiting. Times are hours before the seed runs.
 */
const conversations = [
  {
    member: 'alex.rivera',
    staff: 'office.nurse',
    topic: 'test-result-question',
    subject: 'Question about my cholesterol result',
    messages: [
      {
        from: 'member',
        hoursAgo: 72,
        body: 'My last LDL result is lower but still marked high.\nShould I keep the same dose until my follow-up visit?',
      },
      {
        from: 'office',
        hoursAgo: 50,
        body: 'Dr. Bell reviewed your result. Keep taking your medicine as prescribed; we will recheck it at your follow-up visit.\nNurse Joy Adams',
      },
    ],
  },
  {
    member: 'pat.rivera',
    staff: 'office.geriatrics',
    topic: 'doctor-question',
    subject: 'Dizzy in the mornings',
    messages: [
      {
        from: 'member',
        hoursAgo: 20,
        body: 'I have felt a little dizzy when I get up in the morning this week. It passes after a few minutes.',
      },
    ],
  },
] as const

export async function seedMessages(trx: Knex.Transaction, today: Date): Promise<void> {
  for (const conversation of conversations) {
    const member = await trx('users').where({ user_id: conversation.member }).first('id', 'member_id')
    const staff = await trx('users').where({ user_id: conversation.staff }).first('id', 'department_id')
    const at = (hoursAgo: number) => new Date(today.getTime() - hoursAgo * hour)
    const last = conversation.messages[conversation.messages.length - 1]
    const answered = last.from === 'office'
    const [threadId] = await trx('message_threads').insert({
      member_id: member.member_id,
      department_id: staff.department_id,
      topic: conversation.topic,
      subject: conversation.subject,
      status: answered ? 'answered' : 'waiting',
      waiting_since: answered ? null : at(conversation.messages[0].hoursAgo),
      last_message_at: at(last.hoursAgo),
      created_at: at(conversation.messages[0].hoursAgo),
    })
    for (const message of conversation.messages) {
      await trx('messages').insert({
        thread_id: threadId,
        author: message.from,
        author_user_id: message.from === 'office' ? staff.id : member.id,
        body: message.body,
        created_at: at(message.hoursAgo),
        // Alex has read the nurse's answer; the office has read what members sent before it answered.
        read_at: message.from === 'office' || answered ? at(message.hoursAgo - 1) : null,
      })
    }
  }
}
