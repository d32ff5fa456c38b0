package dev.soma.resilience.bench;

import dev.soma.resilience.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.Map;

/**
 * The benchmark's Kafka broker in a JVM of its own ({@link BenchServers#startWithBrokerJvm}), so
 * that its CPU time is counted apart from the benchmark's: the same {@link EmbeddedKafkaBroker} the
 * other suites run in their own JVM, with the same settings. Arguments: the data directory and
 * the partitions of a new topic. Prints {@value #READY} and its bootstrap address once the broker
 * accepts records; stops the broker on SIGTERM, and halts when the benchmark's JVM is gone, so a
 * benchmark that dies leaves no broker behind.
 */
public final class BrokerMain {

  /** The start of the line printed once the broker is ready, followed by its bootstrap address. */
  static final String READY = "bench broker ready on ";

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: BrokerMain DATA_DIR PARTITIONS");
      System.exit(2);
    }
    ProcessHandle.current().parent()
        .ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Path.of(args[0]), 0,
        Map.of("num.partitions", Integer.toString(Integer.parseInt(args[1]))));
    Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "bench-broker-stop"));
    System.out.println(READY + broker.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
