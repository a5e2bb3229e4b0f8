// Lint is where the architecture of DESIGN.md §8 is enforced: the engine (src/core) never
// imports `vscode` or a face, faces never import each other, and only the VS Code face
// may import `vscode`.
import tseslint from 'typescript-eslint';

const faces = ['cli', 'mcp', 'extension'];

/** A no-restricted-imports rule forbidding the src/ folders in `folders`, and `vscode` unless allowed. */
function boundary(folders, why, allowVscode = false) {
  return {
    'no-restricted-imports': ['error', {
      paths: allowVscode ? [] : [{ name: 'vscode', message: why }],
      patterns: folders.map((n) => ({ group: [`**/${n}/**`, `**/${n}`], message: why })),
    }],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**', '.bench/**', 'demo-out/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'No default exports (STYLE.md).' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: boundary(faces, 'src/core is the engine: it must not import vscode or a face (DESIGN.md §8).'),
  },
  ...faces.map((face) => ({
    files: [`src/${face}/**/*.ts`],
    rules: boundary(
      faces.filter((f) => f !== face),
      `src/${face} is a face: faces import the engine, never each other; only src/extension imports vscode (DESIGN.md §8).`,
      face === 'extension',
    ),
  })),
  {
    files: ['**/*.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
