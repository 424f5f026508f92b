/**
 * An API instance in a process of its own for the fault tests: the real server (startServer: its
 * own jobs, the engine named by MONGODB_URI) with the settings the parent passes in the
 * environment. Prints one JSON line `{"url": …}` when it serves; the test ends it with SIGKILL.
 */
import { startServer } from '../../../cloud/src/server';

startServer(process.env, { persistent: false })
  .then((server) => process.stdout.write(JSON.stringify({ url: server.url }) + '\n'))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
