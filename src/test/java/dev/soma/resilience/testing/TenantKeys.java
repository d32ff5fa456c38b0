package dev.soma.resilience.testing;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/** A tenant and its API key, made as an operator would, for a test that calls the agent API. */
public final class TenantKeys {

  private TenantKeys() {}

  /** Creates {@code tenant} on {@code pool}'s database and returns a new API key of it. */
  public static String create(Pool pool, String tenant) throws Exception {
    Tenants tenants = new Tenants(pool);
    Blocking.await(tenants.create(tenant, null, "test"), Duration.ofSeconds(10));
    return Blocking.await(tenants.createKey(tenant, "it", "test"), Duration.ofSeconds(10))
        .getString("apiKey");
  }
}
