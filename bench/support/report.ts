import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DOC = path.resolve(__dirname, '../../docs/benchmarks.md');
const HEADER = `# Benchmarks

Figures measured by the scripts in \`bench/\`; each section is rewritten by its script
(\`npm run bench:<name>\`). Timing never gates unit tests: these are measurements, read them with
the machine line in mind.
`;

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

/** Replaces (or appends) the section between this benchmark's markers in docs/benchmarks.md. */
export function writeSection(name: string, markdown: string) {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  let doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : HEADER;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(DOC, doc);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}
