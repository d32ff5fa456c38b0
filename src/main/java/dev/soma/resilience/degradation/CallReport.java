package dev.soma.resilience.degradation;

import dev.soma.resilience.common.ProcessName;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The outcome of one real call to a dependency, reported by the client that made it (publish on
 * {@link DegradationAddresses#CALL_OUTCOME}, or {@link DegradationStatusView#report}). Real traffic
 * is the monitor's first source of health; probes only fill the gaps.
 *
 * @param dependency the service called, as the monitor names it ({@code somabrain}, {@code
 *     llm.openai})
 * @param tenant on whose behalf, when there is one (for logs; health is not per tenant)
 * @param ok whether the call did what was asked (a 4xx caused by our request is still ok: the
 *     dependency worked)
 * @param latencyMs how long the call took
 * @param error a short description of the failure, never a secret or a payload
 */
public record CallReport(
    String dependency,
    Optional<String> tenant,
    boolean ok,
    long latencyMs,
    Optional<String> error) {

  /** The header of a published report that names the node whose call it was. */
  public static final String NODE_HEADER = "node";

  /** Publishes this report on {@code bus}, naming this process as the node that made the call. */
  public void publish(EventBus bus) {
    bus.publish(
        DegradationAddresses.CALL_OUTCOME,
        toJson(),
        new DeliveryOptions().addHeader(NODE_HEADER, ProcessName.get()));
  }

  public CallReport {
    Objects.requireNonNull(dependency, "dependency");
    if (dependency.isBlank()) {
      throw new IllegalArgumentException("dependency must not be empty");
    }
    if (latencyMs < 0) {
      throw new IllegalArgumentException("latencyMs must be >= 0, but was " + latencyMs);
    }
    tenant = tenant == null ? Optional.empty() : tenant;
    error = error == null ? Optional.empty() : error;
  }

  public static CallReport success(String dependency, long latencyMs) {
    return new CallReport(dependency, Optional.empty(), true, latencyMs, Optional.empty());
  }

  /**
   * {@code failure} as the public status shows it: what kind of failure, never the message of an
   * exception, which may name a host, a file path, an object key or a tenant (the log keeps it);
   * only a text this service failed a future with itself (a probe's "GET /health answered 502").
   */
  public static String describe(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return "timed out";
    }
    if (failure instanceof ConnectException) {
      return "connection refused";
    }
    if (failure instanceof UnknownHostException) {
      return "unknown host";
    }
    if (failure instanceof SSLException) {
      return "TLS failure";
    }
    if (failure instanceof PgException pg) {
      return "PostgreSQL error " + pg.getSqlState();
    }
    if (failure instanceof NoStackTraceThrowable && failure.getMessage() != null) {
      return failure.getMessage(); // Future.failedFuture(text): a probe's own words
    }
    return failure.getClass().getSimpleName();
  }

  public static CallReport failure(String dependency, long latencyMs, String error) {
    return new CallReport(dependency, Optional.empty(), false, latencyMs, Optional.of(error));
  }

  public CallReport forTenant(String tenantId) {
    return new CallReport(dependency, Optional.of(tenantId), ok, latencyMs, error);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject().put("dependency", dependency).put("ok", ok).put("latencyMs", latencyMs);
    tenant.ifPresent(t -> json.put("tenant", t));
    error.ifPresent(e -> json.put("error", e));
    return json;
  }

  /** Reads {@link #toJson()}'s form; throws {@link IllegalArgumentException} when malformed. */
  public static CallReport fromJson(JsonObject json) {
    try {
      return new CallReport(
          json.getString("dependency"),
          Optional.ofNullable(json.getString("tenant")),
          json.getBoolean("ok"),
          json.getLong("latencyMs", 0L),
          Optional.ofNullable(json.getString("error")));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a call outcome: " + json.encode(), e);
    }
  }
}
