import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import { importX, createNodeResolver } from 'eslint-plugin-import-x'

// Each block's restricted imports replace the last matching block's, so every block repeats the general rule.
const repositoryMessage =
  "A repository is its own feature's (and services.ts's, which builds it): another feature calls that feature's " +
  "service, or takes a narrow interface services.ts fills, and names its row shapes from the feature's types.ts."
// Types too: a type imported from another feature's repository ties the two as surely as a call does.
const otherRepositories = {
  group: ['../*/repository', '../../src/*/repository', '../src/*/repository'],
  message: repositoryMessage,
}

function importsOnlyOneWay(files, forbidden) {
  const message =
    'accounts imports neither registration nor letters; they call the accounts services, not its repository.'
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [otherRepositories, { group: forbidden, message }] },
      ],
    },
  }
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'var/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // platform/ is the ground floor every feature stands on, so it imports no feature, and no module imports
    // back into its own importers: a cycle means two files that can only be read, tested and changed together.
    files: ['src/**/*.ts', 'jobs/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': 'error' },
  },
  {
    files: ['src/**/*.ts', 'jobs/**/*.ts'],
    // services.ts builds every repository and hands each one to the services that need it.
    ignores: ['src/services.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [otherRepositories] }] },
  },
  {
    files: ['src/platform/**/*.ts'],
    // A test may use the development tools (the mail catcher) as its fixture.
    ignores: ['src/platform/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            otherRepositories,
            {
              group: ['../*', '!../config', '!../platform'],
              message: 'platform/ is shared machinery: it imports no feature; pass what it needs in as an argument.',
            },
          ],
        },
      ],
    },
  },
  // Credentials live in accounts; registration and letters call its services, so imports only go that way.
  importsOnlyOneWay(['src/accounts/**'], ['**/registration/**', '**/letters/**']),
  importsOnlyOneWay(['src/registration/**'], ['**/accounts/repository']),
  importsOnlyOneWay(['src/letters/**'], ['**/accounts/repository', '**/registration/**']),
  {
    // The product reads the time only from its injected Clock, which tests set and hand to the processes they
    // spawn: a stray real-time read or a database NOW() is how a test starts failing on some later date.
    files: ['src/**/*.ts', 'jobs/**/*.ts', 'test/**/*.ts'],
    ignores: ['src/platform/clock.ts', 'src/devtools/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Read the time from the injected Clock, not new Date().',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Read the time from the injected Clock, not Date.now().',
        },
        {
          selector: "MemberExpression[object.property.name='fn'][property.name='now']",
          message: "Pass the clock's time instead of the database server's knex.fn.now().",
        },
        ...['Literal[value', 'TemplateElement[value.raw'].map((node) => ({
          selector: String.raw`${node}=/\b(NOW|CURDATE|CURTIME|SYSDATE|UTC_TIMESTAMP|UNIX_TIMESTAMP)\s*\(|\bCURRENT_(DATE|TIME|TIMESTAMP)\b/i]`,
          message: "Pass the clock's time instead of the database server's clock in SQL.",
        })),
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
