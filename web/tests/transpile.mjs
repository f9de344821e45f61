// Loads dependency-free modules of src/ (no npm imports) in Node for unit tests: each is
// transpiled with the project's TypeScript into a temporary folder, its relative imports
// pointed at the transpiled siblings.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const SRC = new URL('../src/', import.meta.url);

/** Imports `src/<name>.ts` (and the src modules it imports) transpiled to JavaScript. */
export async function loadSrc(name) {
  const dir = mkdtempSync(join(tmpdir(), 'carrack-web-unit-'));
  try {
    for (const file of readdirSync(SRC).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, SRC), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const js = outputText.replace(/(from\s+['"]\.\/[\w-]+)(['"])/g, '$1.js$2');
      writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), js);
    }
    return await import(pathToFileURL(join(dir, `${name}.js`)).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
