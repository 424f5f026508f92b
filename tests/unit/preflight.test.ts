import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { decide, gatherFacts, type Facts } from '../support/preflight';

const PREFLIGHT = path.resolve(__dirname, '../support/preflight.js');

/** A machine with everything, as root with apt-get (CI). */
const complete: Facts = {
  chromiumPath: '/usr/bin/chromium',
  chromiumFromEnv: false,
  chromiumPresent: true,
  cjkFontPresent: true,
  needsEngine: true,
  javaCmd: 'java',
  javaFromEnv: false,
  javaMajor: 17,
  mavenPresent: true,
  isRoot: true,
  aptGet: true,
  sudo: false,
};

describe('preflight decision', () => {
  test('everything present: nothing to do', () => {
    expect(decide(complete)).toEqual({ kind: 'ok' });
    expect(decide({ ...complete, javaMajor: 21 })).toEqual({ kind: 'ok' });
  });

  test('missing as root with apt-get: one apt-get update, then one install of exactly what is missing', () => {
    const d = decide({ ...complete, chromiumPresent: false, cjkFontPresent: false, mavenPresent: false });
    expect(d.kind).toBe('install');
    if (d.kind !== 'install') return;
    expect(d.packages).toEqual(['chromium', 'fonts-noto-cjk', 'maven']);
    expect(d.commands).toHaveLength(2);
    const [update, install] = d.commands;
    expect(update[0]).toBe('apt-get');
    expect(update).toContain('update');
    expect(install.slice(0, 1)).toEqual(['apt-get']);
    expect(install).toContain('install');
    expect(install).toContain('-y');
    expect(install.slice(-3)).toEqual(['chromium', 'fonts-noto-cjk', 'maven']);
  });

  test('Java older than 17 or absent is installed as openjdk-17', () => {
    for (const javaMajor of [null, 11]) {
      const d = decide({ ...complete, javaMajor });
      expect(d).toMatchObject({ kind: 'install', packages: ['openjdk-17-jre-headless'] });
    }
  });

  test('missing and not root: stops with the one command, sudo when there is sudo', () => {
    const d = decide({ ...complete, isRoot: false, sudo: true, chromiumPresent: false, cjkFontPresent: false });
    expect(d.kind).toBe('stop');
    if (d.kind !== 'stop') return;
    expect(d.message).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium fonts-noto-cjk');
    expect(d.message).toContain('Chromium at /usr/bin/chromium');

    const noSudo = decide({ ...complete, isRoot: false, sudo: false, cjkFontPresent: false });
    expect(noSudo).toMatchObject({ kind: 'stop' });
    if (noSudo.kind === 'stop')
      expect(noSudo.message).toContain('as root: apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk');
  });

  test('root without apt-get (not Debian) is told what to install instead of guessing a package manager', () => {
    const d = decide({ ...complete, aptGet: false, chromiumPresent: false });
    expect(d.kind).toBe('stop');
    if (d.kind === 'stop') {
      expect(d.message).toContain('chromium');
      expect(d.message).not.toContain('apt-get');
    }
  });

  test('CHROMIUM_PATH pointing at nothing is a setting to fix, never an install (installing would not help)', () => {
    const d = decide({ ...complete, chromiumPath: '/nonexistent', chromiumFromEnv: true, chromiumPresent: false });
    expect(d.kind).toBe('stop');
    if (d.kind === 'stop') expect(d.message).toMatch(/CHROMIUM_PATH=\/nonexistent .*unset it to use \/usr\/bin\/chromium/);
    // with packages missing too, the message carries both fixes
    const both = decide({
      ...complete,
      chromiumPath: '/nonexistent',
      chromiumFromEnv: true,
      chromiumPresent: false,
      cjkFontPresent: false,
    });
    expect(both.kind).toBe('stop');
    if (both.kind === 'stop') expect(both.message).toContain('apt-get install -y --no-install-recommends fonts-noto-cjk');
  });

  test('with MONGODB_URI (or a system mongod) neither Java nor Maven is needed', () => {
    expect(decide({ ...complete, needsEngine: false, javaMajor: null, mavenPresent: false })).toEqual({ kind: 'ok' });
  });
});

describe('preflight facts', () => {
  test('CHROMIUM_PATH is honoured: a missing file is missing, an executable file is present', () => {
    const missing = gatherFacts({ ...process.env, CHROMIUM_PATH: '/nonexistent', MONGODB_URI: 'mongodb://127.0.0.1:1' });
    expect(missing).toMatchObject({ chromiumPath: '/nonexistent', chromiumFromEnv: true, chromiumPresent: false, needsEngine: false });

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
    try {
      const fake = path.join(dir, 'chromium');
      fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o644 });
      expect(gatherFacts({ ...process.env, CHROMIUM_PATH: fake }).chromiumPresent).toBe(false); // not executable
      fs.chmodSync(fake, 0o755);
      expect(gatherFacts({ ...process.env, CHROMIUM_PATH: fake }).chromiumPresent).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('JAVA pointing at nothing reads as no Java', () => {
    expect(gatherFacts({ ...process.env, JAVA: '/nonexistent/java' })).toMatchObject({ javaFromEnv: true, javaMajor: null });
  });

  test('the script, with the browser path pointed at nothing, exits 1 at once naming the fix', () => {
    const r = spawnSync(process.execPath, [PREFLIGHT], { env: { ...process.env, CHROMIUM_PATH: '/nonexistent' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CHROMIUM_PATH=/nonexistent is not an executable');
  });

  test('npm test runs the preflight first', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));
    expect(pkg.scripts.preflight).toBe('node tests/support/preflight.js');
    expect(pkg.scripts.test.startsWith('npm run preflight && ')).toBe(true);
  });
});
