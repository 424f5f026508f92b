import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { enginePaths } from './paths';
import type { EmbeddedEngine, ProgressFn } from './engine';

const MONGO_JAVA_SERVER_VERSION = '1.47.0';

export function javaAvailable(java = 'java'): boolean {
  const r = spawnSync(java, ['-version'], { stdio: 'ignore' });
  return r.status === 0;
}

function jarsPresent(jarsDir: string): boolean {
  return fs.existsSync(jarsDir) && fs.readdirSync(jarsDir).some((f) => f.startsWith(`mongo-java-server-core-${MONGO_JAVA_SERVER_VERSION}`));
}

/** Fetches mongo-java-server and its dependencies from Maven Central once (Maven's own cache helps later clones). */
export function prepareMongoJavaServer(dataDir: string, progress: ProgressFn, java = 'java'): { ok: true } | { ok: false; reason: string } {
  const p = enginePaths(dataDir);
  if (!javaAvailable(java)) return { ok: false, reason: 'no Java runtime on PATH (install openjdk-17-jre-headless)' };
  if (jarsPresent(p.javaJarsDir)) return { ok: true };
  const mvn = spawnSync('mvn', ['-v'], { stdio: 'ignore' });
  if (mvn.status !== 0)
    return { ok: false, reason: 'Maven (mvn) is needed once to fetch mongo-java-server from Maven Central (apt-get install maven)' };
  progress(`fetching mongo-java-server ${MONGO_JAVA_SERVER_VERSION} from Maven Central (once) …`);
  fs.mkdirSync(p.javaJarsDir, { recursive: true });
  const r = spawnSync('mvn', ['-B', '-q', '-f', p.javaPom, 'dependency:copy-dependencies', `-DoutputDirectory=${p.javaJarsDir}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 5 * 60_000,
  });
  if (r.status !== 0 || !jarsPresent(p.javaJarsDir)) {
    fs.rmSync(p.javaJarsDir, { recursive: true, force: true });
    return { ok: false, reason: `Maven could not fetch mongo-java-server (exit ${r.status})` };
  }
  progress(`mongo-java-server jars ready in ${p.javaJarsDir}`);
  return { ok: true };
}

/** Starts the launcher; `h2` keeps data in a file under `.data/`, `memory` forgets it on stop. */
export async function startMongoJavaServer(dataDir: string, backend: 'memory' | 'h2', port = 0, java = 'java'): Promise<EmbeddedEngine> {
  const p = enginePaths(dataDir);
  const child: ChildProcess = spawn(
    java,
    ['-Xss4m', '-XX:+UseSerialGC', '-cp', `${p.javaJarsDir}/*`, p.javaLauncher, backend, p.h2File, String(port)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const boundPort = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`mongo-java-server did not start within 60 s\n${stderr}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited with ${code} before it was ready\n${stderr}`));
    });
  });
  return {
    uri: `mongodb://127.0.0.1:${boundPort}`,
    name: `mongo-java-server ${MONGO_JAVA_SERVER_VERSION} (${backend === 'h2' ? 'H2 MVStore backend' : 'memory backend'})`,
    kind: 'mongo-java-server',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.stdin?.end(); // the launcher shuts down cleanly (and commits H2) when stdin closes
      }),
  };
}
