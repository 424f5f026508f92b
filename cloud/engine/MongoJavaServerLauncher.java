import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * Runs mongo-java-server on loopback for CitySport's embedded engine.
 * Usage: java -cp "jars/*" MongoJavaServerLauncher.java memory|h2 <h2-file> <port>
 * Prints "READY <port>" once listening and exits when stdin closes, so the engine never
 * outlives the Node process that started it.
 */
public class MongoJavaServerLauncher {
  public static void main(String[] args) throws Exception {
    String backendName = args.length > 0 ? args[0] : "memory";
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    MongoBackend backend = backendName.equals("h2") ? new H2Backend(args[1]) : new MemoryBackend();
    backend.version(ServerVersion.MONGO_5_0);
    MongoServer server = new MongoServer(backend);
    server.bind(new InetSocketAddress("127.0.0.1", port));
    System.out.println("READY " + server.getLocalAddress().getPort());
    System.out.flush();
    // shutdown() closes the backend, so the H2 file is committed on SIGTERM and on stdin EOF alike
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    while (System.in.read() != -1) {
      // keep running until the parent closes our stdin
    }
    System.exit(0);
  }
}
