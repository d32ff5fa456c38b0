package dev.soma.resilience.testing;

import dev.soma.resilience.Application;
import dev.soma.resilience.config.DatabaseUrl;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole service on a fresh database that it reaches through a {@link TcpProxy} the test cuts (a
 * PostgreSQL outage, as the service sees one), the suite's Kafka, any free HTTP port and a data
 * directory of its own; the test reads and writes the database directly through {@link #fx}.
 */
public final class ServiceBehindProxy implements AutoCloseable {

  public final OutboxFixture fx;
  public final TcpProxy proxy;
  public final Application app;

  private ServiceBehindProxy(OutboxFixture fx, TcpProxy proxy, Application app) {
    this.fx = fx;
    this.proxy = proxy;
    this.app = app;
  }

  /** Starts it, its data directory named after {@code purpose}; {@code more} adds or overrides. */
  public static ServiceBehindProxy start(String purpose, Map<String, String> more)
      throws Exception {
    OutboxFixture fx = new OutboxFixture();
    TcpProxy proxy = null;
    try {
      proxy = TcpProxy.before(fx.databaseUrl);
      DatabaseUrl proxied = proxy.through(fx.databaseUrl);
      Map<String, String> env = new HashMap<>();
      env.put("SA01_DATABASE_URL", TestServices.databaseUrlSetting(proxied));
      env.put("SA01_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrap());
      env.put("SA01_HTTP_PORT", "0");
      env.put("SA01_DATA_DIR", TestServices.tempDir(purpose).toString());
      env.putAll(more);
      Application app = Application.start(OutboxFixture.config(env), Application.Role.SERVICE);
      return new ServiceBehindProxy(fx, proxy, app);
    } catch (Exception e) {
      if (proxy != null) {
        proxy.close();
      }
      fx.close();
      throw e;
    }
  }

  /** The service's HTTP port. */
  public int httpPort() {
    return app.httpPort();
  }

  @Override
  public void close() throws Exception {
    app.close();
    proxy.close();
    fx.close();
  }
}
