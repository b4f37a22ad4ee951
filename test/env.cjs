// The test run's own database, Redis db and key prefix, so tests never touch development data.
// Plain CommonJS: the dependency-free setup script reads it too.
const testEnv = {
  NODE_ENV: 'test',
  DATABASE_URL: process.env.TEST_DATABASE_URL || 'mysql://root@127.0.0.1:3306/member_portal_test',
  REDIS_URL: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379/1',
  REDIS_PREFIX: 'portal-test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'silent',
  SIGN_ON_DELAY_MS: '5',
  OUTBOX_POLL_MS: '50',
  LETTERS_DIR:
    process.env.TEST_LETTERS_DIR ||
    require('node:path').join(require('node:os').tmpdir(), 'member-portal-test-letters'),
  LETTERS_CHUNK_SIZE: '25',
  // Refill retries in milliseconds rather than seconds, and a pharmacy that answers or fails fast.
  REFILL_RETRY_DELAY_MS: '50',
  REFILL_ATTEMPTS: '5',
  PHARMACY_TIMEOUT_MS: '1500',
  // The office-reply email window in seconds rather than 15 minutes, and SMTP retries in milliseconds.
  OFFICE_REPLY_EMAIL_WINDOW_SECONDS: '5',
  OFFICE_REPLY_EMAIL_RETRY_DELAY_MS: '100',
  // The demo's state-law table (California's), and the new-result email window in seconds.
  LAB_STATE_LAW_FILE: require('node:path').join(__dirname, '..', 'config', 'state-law', 'california.json'),
  NEW_RESULT_EMAIL_WINDOW_SECONDS: '5',
}

module.exports = { testEnv }
