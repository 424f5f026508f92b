import path from 'node:path';

/** Where the embedded engine keeps its jars, markers and data (always under DATA_DIR, i.e. `.data/`). */
export function enginePaths(dataDir: string) {
  const engineDir = path.join(dataDir, 'engine');
  return {
    engineDir,
    javaJarsDir: path.join(engineDir, 'mongo-java-server', 'jars'),
    javaLauncher: path.join(__dirname, '../../../engine/MongoJavaServerLauncher.java'),
    javaPom: path.join(__dirname, '../../../engine/pom.xml'),
    mongodRefusedMarker: path.join(engineDir, 'mongod-download-refused.json'),
    mongodDbPath: path.join(dataDir, 'mongod'),
    h2File: path.join(dataDir, 'citysport.h2.mv'),
  };
}
