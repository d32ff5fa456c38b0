package dev.soma.resilience.idempotency;

import dev.soma.resilience.common.db.LeaseKeeper;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;

/**
 * HTTP {@code Idempotency-Key} handling (IETF draft, Stripe's behaviour), scoped per tenant:
 *
 * <ul>
 *   <li>{@link #begin} marks the key {@code in_progress} before the work starts; a second request
 *       with the key meanwhile gets {@link Begin#IN_PROGRESS} (409);
 *   <li>the work completes the record in its own transaction ({@link #complete}), so the business
 *       rows and the stored response commit together; a replay returns the stored status and body;
 *   <li>the same key with a different request is {@link Begin#MISMATCH} (422);
 *   <li>work that fails (validation, a server error) calls {@link #abandon}: nothing is stored, and
 *       the client may retry with the same key;
 *   <li>an {@code in_progress} record belongs to the process that began it (its {@link LeaseKeeper}
 *       holder): once that process's PostgreSQL session is gone (it died), the next request with
 *       the key takes the record over at once; {@code abandonAfter} is the long stop for a process
 *       that is alive but stuck (or began the key while its keeper was reconnecting);
 *   <li>records live {@code retention} (at least 24 h). Both times are measured on the injected
 *       clock, as is {@link IdempotencyCleanup}'s expiry.
 * </ul>
 */
public final class IdempotentRequests {

  /** What {@link #begin} found. */
  public enum Begin {
    /** New (or taken over): do the work. */
    PROCEED,
    /** Done before: replay {@link Started#stored()}. */
    REPLAY,
    /** Another request with this key is running. */
    IN_PROGRESS,
    /** The key was used for a different request. */
    MISMATCH
  }

  /** The outcome of {@link #begin}, with the stored response for a replay. */
  public record Started(Begin begin, int storedStatus, JsonObject stored) {}

  /**
   * $7 is the clock's now: a key's begin, expiry and take-over are measured on one clock. An {@code
   * in_progress} record is taken over once it is no {@code lease_live} (sql/V7): {@code
   * abandonAfter} ($6) after it began, or as soon as the session of its holder ($8) is gone.
   */
  static final String BEGIN =
      """
      INSERT INTO idempotency_records
             (scope, idem_key, tenant_id, request_hash, status, created_at, expires_at, holder)
      VALUES ($1, $2, $3, $4, 'in_progress', $7::timestamptz,
              $7::timestamptz + make_interval(secs => $5), $8)
      ON CONFLICT (scope, idem_key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, status = 'in_progress',
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
             holder = EXCLUDED.holder, response_status = NULL, response_body = NULL
       WHERE idempotency_records.expires_at < EXCLUDED.created_at
          OR (idempotency_records.status = 'in_progress'
              AND NOT lease_live(idempotency_records.created_at + make_interval(secs => $6),
                                 idempotency_records.holder, EXCLUDED.created_at))
      RETURNING idem_key\
      """;

  static final String FIND =
      "SELECT request_hash, status, response_status, response_body FROM idempotency_records"
          + " WHERE scope = $1 AND idem_key = $2";

  static final String COMPLETE =
      "UPDATE idempotency_records SET status = 'completed', response_status = $3,"
          + " response_body = $4 WHERE scope = $1 AND idem_key = $2";

  /**
   * Keys whose requests were journaled and are now replayed, one row per array element: each is
   * completed at once, if still free or still in progress for the same request (the database went
   * away between the key's begin and the write, so the request was journaled; left in progress, the
   * client's retry would get 409 until the key is abandoned). A key completed meanwhile, or begun
   * for another request, stays. A key repeated within the arrays fails the statement (PostgreSQL
   * updates a row once per statement).
   */
  static final String STORE_COMPLETED =
      """
      INSERT INTO idempotency_records
             (scope, idem_key, tenant_id, request_hash, status, response_status, response_body,
              created_at, expires_at)
      SELECT r.scope, r.idem_key, r.tenant_id, r.request_hash, 'completed', r.response_status,
             r.response_body::jsonb, $7::timestamptz, $7::timestamptz + make_interval(secs => $8)
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::text[])
             AS r (scope, idem_key, tenant_id, request_hash, response_status, response_body)
      ON CONFLICT (scope, idem_key) DO UPDATE
         SET status = 'completed', response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, expires_at = EXCLUDED.expires_at,
             holder = NULL
       WHERE idempotency_records.status = 'in_progress'
         AND idempotency_records.request_hash = EXCLUDED.request_hash\
      """;

  static final String ABANDON =
      "DELETE FROM idempotency_records WHERE scope = $1 AND idem_key = $2 AND status ="
          + " 'in_progress'";

  private final Pool pool;
  private final LeaseKeeper keeper;
  private final Duration retention;
  private final Duration abandonAfter;
  private final Clock clock;

  /**
   * Records kept {@code retention}; the time a key was begun and expires is {@code clock}'s; a key
   * in progress ends with the session of {@code keeper}, the process's lease keeper.
   */
  public IdempotentRequests(
      Pool pool, LeaseKeeper keeper, Duration retention, Duration abandonAfter, Clock clock) {
    this.pool = pool;
    this.keeper = keeper;
    this.retention = retention;
    this.abandonAfter = abandonAfter;
    this.clock = clock;
  }

  /** The pool records are kept in (to complete one outside a business transaction). */
  public Pool pool() {
    return pool;
  }

  /** A stable fingerprint of a request: method, path and body bytes. */
  public static String fingerprint(String method, String path, byte[] body) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
      digest.update(body);
      return HexFormat.of().formatHex(digest.digest());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Future<Started> begin(String tenant, String key, String requestHash) {
    String scope = scope(tenant);
    return pool.preparedQuery(BEGIN)
        .execute(
            Tuple.of(
                scope,
                key,
                tenant,
                requestHash,
                retention.toSeconds(),
                abandonAfter.toSeconds(),
                OffsetDateTime.now(clock),
                keeper.heldKey()))
        .compose(
            rows ->
                rows.rowCount() == 1
                    ? Future.succeededFuture(new Started(Begin.PROCEED, 0, null))
                    : pool.preparedQuery(FIND)
                        .execute(Tuple.of(scope, key))
                        .map(
                            found -> {
                              if (found.rowCount() == 0) {
                                return new Started(
                                    Begin.IN_PROGRESS, 0, null); // deleted meanwhile: retry later
                              }
                              Row row = found.iterator().next();
                              if (!requestHash.equals(row.getString("request_hash"))) {
                                return new Started(Begin.MISMATCH, 0, null);
                              }
                              if (!"completed".equals(row.getString("status"))) {
                                return new Started(Begin.IN_PROGRESS, 0, null);
                              }
                              return new Started(
                                  Begin.REPLAY,
                                  row.getInteger("response_status"),
                                  row.getJsonObject("response_body"));
                            }));
  }

  /** Stores the response on {@code tx}, the transaction that made the request's effects. */
  public Future<Void> complete(
      SqlClient tx, String tenant, String key, int status, JsonObject body) {
    return tx.preparedQuery(COMPLETE)
        .execute(Tuple.of(scope(tenant), key, status, body))
        .mapEmpty();
  }

  /**
   * The answer of a request that was journaled under {@code key} and is being replayed.
   *
   * @param requestHash the key's fingerprint of the request ({@link #fingerprint})
   * @param status the HTTP status to store with {@code body}
   */
  public record Replayed(
      String tenant, String key, String requestHash, int status, JsonObject body) {}

  /**
   * Stores the response of a request that was journaled under {@code key} and is being replayed, on
   * the replay's transaction {@code tx}; a key the database already holds is left as it is.
   */
  public Future<Void> storeReplayed(
      SqlClient tx, String tenant, String key, String requestHash, int status, JsonObject body) {
    return storeAllReplayed(tx, List.of(new Replayed(tenant, key, requestHash, status, body)));
  }

  /**
   * Stores several replayed answers as {@link #storeReplayed} does, in one statement; fails when a
   * key appears twice in {@code answers}.
   */
  public Future<Void> storeAllReplayed(SqlClient tx, List<Replayed> answers) {
    if (answers.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = answers.size();
    String[] scopes = new String[n];
    String[] keys = new String[n];
    String[] tenants = new String[n];
    String[] hashes = new String[n];
    Integer[] statuses = new Integer[n];
    String[] bodies = new String[n];
    for (int i = 0; i < n; i++) {
      Replayed a = answers.get(i);
      scopes[i] = scope(a.tenant());
      keys[i] = a.key();
      tenants[i] = a.tenant();
      hashes[i] = a.requestHash();
      statuses[i] = a.status();
      bodies[i] = a.body() == null ? null : a.body().encode();
    }
    return tx.preparedQuery(STORE_COMPLETED)
        .execute(
            Tuple.of(
                scopes,
                keys,
                tenants,
                hashes,
                statuses,
                bodies,
                OffsetDateTime.now(clock),
                retention.toSeconds()))
        .mapEmpty();
  }

  /** Forgets an unfinished key so the client may retry it. */
  public Future<Void> abandon(String tenant, String key) {
    return pool.preparedQuery(ABANDON).execute(Tuple.of(scope(tenant), key)).mapEmpty();
  }

  private static String scope(String tenant) {
    return "http:" + tenant;
  }
}
