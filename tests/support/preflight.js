// @ts-check
/**
 * `npm run preflight`, the first step of `npm test`: checks what the tests need from the system
 * (Chromium, a CJK font, Java 17 + Maven for the embedded engine) and installs what is missing with
 * apt-get when it may (root, as in CI), else stops at once with the one command to run.
 * Plain CommonJS so that it starts in plain node within milliseconds (tsx would take a second).
 * Decisions are a pure function of the facts (`decide`), unit-tested in tests/unit/preflight.test.ts.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const PACKAGES = {
  chromium: 'chromium',
  cjkFont: 'fonts-noto-cjk',
  java: 'openjdk-17-jre-headless',
  maven: 'maven',
};

/** @param {string} cmd @param {NodeJS.ProcessEnv} env */
function onPath(cmd, env) {
  if (cmd.includes('/')) return isExecutable(cmd);
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, cmd)));
}

/** @param {string} file */
function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The major version of `java -version`, or null when it does not run. @param {string} java */
function javaMajor(java) {
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return null;
  // Java 8 and older report "1.8.0_…"
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/**
 * What the machine has, read once.
 * @param {NodeJS.ProcessEnv} env
 * @returns {import('./preflight').Facts}
 */
function gatherFacts(env = process.env) {
  const chromiumPath = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  const needsEngine = !env.MONGODB_URI && !env.MONGOMS_SYSTEM_BINARY;
  const javaCmd = env.JAVA || 'java';
  const fonts = onPath('fc-list', env) ? spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).stdout : '';
  return {
    chromiumPath,
    chromiumFromEnv: Boolean(env.CHROMIUM_PATH),
    chromiumPresent: isExecutable(chromiumPath),
    cjkFontPresent: Boolean(fonts && fonts.trim()),
    needsEngine,
    javaCmd,
    javaFromEnv: Boolean(env.JAVA),
    javaMajor: needsEngine && onPath(javaCmd, env) ? javaMajor(javaCmd) : null,
    mavenPresent: onPath('mvn', env),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    aptGet: onPath('apt-get', env),
    sudo: onPath('sudo', env),
  };
}

/**
 * What to do about the facts: nothing, install packages, or stop with a message.
 * @param {import('./preflight').Facts} f
 * @returns {import('./preflight').Decision}
 */
function decide(f) {
  /** @type {string[]} */ const missing = [];
  /** @type {string[]} */ const packages = [];
  /** @type {string[]} */ const settings = [];

  if (!f.chromiumPresent) {
    if (f.chromiumFromEnv)
      settings.push(
        `CHROMIUM_PATH=${f.chromiumPath} is not an executable: point CHROMIUM_PATH at a Chromium binary, or unset it to use ${DEFAULT_CHROMIUM}`,
      );
    else {
      missing.push(`Chromium at ${f.chromiumPath} (e2e tests)`);
      packages.push(PACKAGES.chromium);
    }
  }
  if (!f.cjkFontPresent) {
    missing.push('a CJK font (e2e tests render Chinese text)');
    packages.push(PACKAGES.cjkFont);
  }
  if (f.needsEngine) {
    if (f.javaMajor === null || f.javaMajor < 17) {
      const found = f.javaMajor === null ? 'none found' : `found Java ${f.javaMajor}`;
      if (f.javaFromEnv)
        settings.push(`JAVA=${f.javaCmd} is not a Java 17 or newer (${found}): point JAVA at one, or unset it to use java on PATH`);
      else {
        missing.push(`Java 17 for the embedded database engine (${found}; or set MONGODB_URI)`);
        packages.push(PACKAGES.java);
      }
    }
    if (!f.mavenPresent) {
      missing.push('Maven, which fetches the embedded engine once (or set MONGODB_URI)');
      packages.push(PACKAGES.maven);
    }
  }

  if (settings.length > 0) {
    const lines = [...settings];
    if (packages.length > 0) lines.push(`also missing: ${missing.join('; ')}`, `then run: ${installCommand(f, packages)}`);
    return { kind: 'stop', message: lines.join('\n') };
  }
  if (packages.length === 0) return { kind: 'ok' };
  if (f.isRoot && f.aptGet)
    return {
      kind: 'install',
      packages,
      commands: [
        ['apt-get', ...APT_WAIT, 'update', '-qq'],
        ['apt-get', ...APT_WAIT, 'install', '-y', '-qq', '--no-install-recommends', ...packages],
      ],
    };
  return { kind: 'stop', message: `missing: ${missing.join('; ')}\nrun: ${installCommand(f, packages)}` };
}

// waits for another apt-get or dpkg (an unattended upgrade) instead of failing on its lock
const APT_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

/** The one command a person runs. @param {import('./preflight').Facts} f @param {string[]} packages */
function installCommand(f, packages) {
  if (!f.aptGet)
    return `install with your system's package manager: ${packages.join(' ')} (Debian names), or set CHROMIUM_PATH / MONGODB_URI`;
  const apt = `apt-get update && ${f.isRoot || !f.sudo ? '' : 'sudo '}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  if (f.isRoot) return apt;
  return f.sudo ? `sudo ${apt}` : `as root: ${apt}`;
}

/** Runs the preflight: returns the exit code. */
function main() {
  const started = Date.now();
  const facts = gatherFacts();
  const decision = decide(facts);
  if (decision.kind === 'ok') {
    console.log(`[preflight] Chromium, CJK font${facts.needsEngine ? ', Java 17, Maven' : ''} present (${Date.now() - started} ms)`);
    return 0;
  }
  if (decision.kind === 'stop') {
    console.error(`[preflight] npm test cannot run on this machine yet.\n${decision.message}`);
    return 1;
  }
  console.log(`[preflight] installing system packages: ${decision.packages.join(' ')}`);
  for (const [cmd, ...args] of decision.commands) {
    console.log(`[preflight] $ ${cmd} ${args.join(' ')}`);
    const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`[preflight] ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
      return 1;
    }
  }
  const after = decide(gatherFacts());
  if (after.kind !== 'ok') {
    const what = after.kind === 'stop' ? after.message : after.packages.join(' ');
    console.error(`[preflight] apt-get finished, but this is still missing:\n${what}`);
    return 1;
  }
  console.log(`[preflight] installed: ${decision.packages.join(' ')}`);
  return 0;
}

module.exports = { decide, gatherFacts, installCommand, PACKAGES, DEFAULT_CHROMIUM };

if (require.main === module) process.exitCode = main();
