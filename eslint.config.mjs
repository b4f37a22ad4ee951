import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'

function importsOnlyOneWay(files, forbidden) {
  const message =
    'accounts imports neither registration nor letters; they call the accounts services, not its repository.'
  return { files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }] } }
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
