/**
 * weapp subpackages load on demand and cannot reach into one another: a page of one subpackage
 * importing a file of another builds on h5 and breaks in WeChat. Shared pieces live in the main
 * package (components/, api/, utils/, styles/). The dev kit (left out of production builds) is the
 * one exception, for two stylesheets.
 */
import fs from 'node:fs';
import path from 'node:path';

const PACKAGES = path.resolve(__dirname, '../../miniapp/src/packages');
const ALLOWED = new Set(['dev']);

function filesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesOf(p) : /\.(tsx?|scss)$/.test(e.name) ? [p] : [];
  });
}

test('no subpackage imports a file of another subpackage', () => {
  const crossings: string[] = [];
  for (const pkg of fs.readdirSync(PACKAGES)) {
    if (ALLOWED.has(pkg)) continue;
    for (const file of filesOf(path.join(PACKAGES, pkg))) {
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:from\s+|import\s+|@(?:use|import)\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = path.resolve(path.dirname(file), m[1]);
        const rel = path.relative(PACKAGES, target);
        if (!rel.startsWith('..') && rel.split(path.sep)[0] !== pkg) crossings.push(`${path.relative(PACKAGES, file)} → ${m[1]}`);
      }
    }
  }
  expect(crossings).toEqual([]);
});
