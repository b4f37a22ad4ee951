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
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
)
