// `SPEC=test/integration/labs.test.ts npx mocha` runs just the files named (comma-separated); plain `mocha`
// runs everything.
const focused = process.env.SPEC ? process.env.SPEC.split(',') : undefined

module.exports = {
  'node-option': ['import=tsx'],
  require: ['test/helpers/root-hooks.ts'],
  spec: focused ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
  reporter: 'test/helpers/reporter.cjs',
  timeout: 30000,
  exit: true,
}
