/**
 * A further API instance for the two-instance bench mode: the same code and settings as the first,
 * on the first one's engine and database (MONGODB_URI and DB_NAME from the parent), its own jobs
 * (leases shared through the database). Prints one JSON line, then serves until stdin closes.
 */
import { startServer } from '../../cloud/src/server';
import { withDevSecretsAllowed } from '../../cloud/src/platform/config';

async function main() {
  const server = await startServer({ ...withDevSecretsAllowed(process.env), PORT: '0' }, { persistent: false });
  process.stdout.write(JSON.stringify({ url: server.url, engine: server.engine.name }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await server.stop();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
