#!/usr/bin/env node
// Package sizes of the weapp build (run after `taro build --type weapp`).
// Main package = every file of dist/weapp outside the subpackage roots declared in app.json;
// WeChat's limits: 2 MB per package, 20 MB in all. Our budget for the main package is 1 MB
// (ARCHITECTURE.md, "Mini-program"): exits 1 above it. Source maps (*.map) are not uploaded
// and are not counted.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN_BUDGET = 1024 * 1024; // 1,048,576 bytes
const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'weapp');
const appJsonPath = join(dist, 'app.json');

if (!existsSync(appJsonPath)) {
  console.error(`weapp-size: ${appJsonPath} not found — run \`npm run build:weapp -w miniapp\` first`);
  process.exit(2);
}

const app = JSON.parse(readFileSync(appJsonPath, 'utf8'));
const roots = [...(app.subPackages ?? []), ...(app.subpackages ?? [])].map((p) => String(p.root).replace(/^\/+|\/+$/g, '')).filter(Boolean);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) walk(full, out);
    else if (!name.endsWith('.map')) out.push({ path: relative(dist, full).split(sep).join('/'), size: st.size });
  }
  return out;
}

const files = walk(dist);
const subSizes = new Map(roots.map((r) => [r, 0]));
let main = 0;
let mainFiles = 0;
for (const f of files) {
  const root = roots.find((r) => f.path === r || f.path.startsWith(`${r}/`));
  if (root) subSizes.set(root, subSizes.get(root) + f.size);
  else {
    main += f.size;
    mainFiles += 1;
  }
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const total = files.reduce((s, f) => s + f.size, 0);
console.log(`weapp build: ${dist}`);
console.log(`main package: ${kib(main)} (${main} bytes, ${mainFiles} files; budget ${kib(MAIN_BUDGET)})`);
for (const [root, size] of subSizes) console.log(`  subpackage ${root}: ${kib(size)}`);
console.log(`total: ${kib(total)}`);

const top = files
  .filter((f) => !roots.some((r) => f.path.startsWith(`${r}/`)))
  .sort((a, b) => b.size - a.size)
  .slice(0, 5);
console.log(`largest main-package files: ${top.map((f) => `${f.path} ${kib(f.size)}`).join(', ')}`);

if (main > MAIN_BUDGET) {
  console.error(`main package ${main} bytes exceeds the ${MAIN_BUDGET}-byte budget`);
  process.exit(1);
}
