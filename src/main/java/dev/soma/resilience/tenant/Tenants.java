package dev.soma.resilience.tenant;

import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.Transaction;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Tenants and their API keys. Operators create tenants and keys and revoke keys, each change
 * audited ({@link AdminAudit}: {@code tenant.create}, {@code tenant.key.create}, {@code
 * tenant.key.revoke}) in its own transaction, so a refused change leaves no audit row; a key's
 * secret is never in the audit. Every request is authenticated by {@link #authenticate}, which is
 * where a request's tenant comes from (never from anything else the client sends); keys seen valid
 * are kept in a {@link KeyCache}, which answers without the database, also while it is down.
 */
public final class Tenants {

  /** What a tenant id must be ({@link #isValidId}). */
  public static final String ID_RULE =
      "tenant id must be 1-63 characters of [a-z0-9._-] starting with a letter or digit";

  /** The longest display name of a tenant, and label of a key, in characters. */
  public static final int NAME_MAX = 200;

  static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  static final String INSERT_TENANT = "INSERT INTO tenants (id, name) VALUES ($1, $2)";
  static final String INSERT_KEY =
      "INSERT INTO api_keys (id, tenant_id, secret_hash, label, created_by) VALUES ($1, $2, $3, $4,"
          + " $5)";
  static final String REVOKE_KEY =
      "UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS"
          + " NULL";
  static final String FIND_KEY =
      "SELECT tenant_id, secret_hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL";

  private final Pool pool;
  private final KeyCache keys;

  /** Tenants whose keys are read from the database on every request (for commands and tests). */
  public Tenants(Pool pool) {
    this(pool, new KeyCache(Clock.systemUTC(), Duration.ZERO, 0));
  }

  public Tenants(Pool pool, KeyCache keys) {
    this.pool = pool;
    this.keys = keys;
  }

  /** Whether {@code id} has a tenant id's shape: 1-63 of [a-z0-9._-], not starting with . _ -. */
  public static boolean isValidId(String id) {
    return id != null && TENANT_ID.matcher(id).matches();
  }

  /**
   * Creates a tenant as {@code operator}; fails with {@link IllegalArgumentException} on a bad or
   * taken id.
   */
  public Future<JsonObject> create(String id, String name, String operator) {
    if (id == null || !TENANT_ID.matcher(id).matches()) {
      return Future.failedFuture(new IllegalArgumentException(ID_RULE + ", but was '" + id + "'"));
    }
    String display = name == null || name.isBlank() ? id : name.trim();
    JsonObject created = new JsonObject().put("id", id).put("name", display);
    return audited(
            "tenant.create",
            operator,
            created,
            tx -> tx.preparedQuery(INSERT_TENANT).execute(Tuple.of(id, display)).map(created))
        .recover(
            e ->
                Future.failedFuture(
                    isUniqueViolation(e)
                        ? new IllegalArgumentException("tenant '" + id + "' already exists")
                        : e));
  }

  /**
   * Creates a key for {@code tenantId}; the result holds the full key, which is never retrievable
   * again. Fails with {@link NoSuchElementException} when the tenant does not exist.
   */
  public Future<JsonObject> createKey(String tenantId, String label, String operator) {
    ApiKey key = ApiKey.generate();
    String text = label == null ? "" : label;
    JsonObject request =
        new JsonObject().put("tenantId", tenantId).put("keyId", key.id()).put("label", text);
    return audited(
            "tenant.key.create",
            operator,
            request,
            tx ->
                tx.preparedQuery(INSERT_KEY)
                    .execute(
                        Tuple.of(
                            key.id(), tenantId, Buffer.buffer(key.secretHash()), text, operator))
                    .map(
                        r ->
                            new JsonObject()
                                .put("keyId", key.id())
                                .put("tenantId", tenantId)
                                .put("label", text)
                                .put("apiKey", key.token())))
        .recover(
            e ->
                Future.failedFuture(
                    isForeignKeyViolation(e)
                        ? new NoSuchElementException("no tenant '" + tenantId + "'")
                        : e));
  }

  /** Revokes a key at once; fails with {@link NoSuchElementException} if none is active. */
  public Future<Void> revokeKey(String keyId, String operator) {
    return audited(
            "tenant.key.revoke",
            operator,
            new JsonObject().put("keyId", keyId),
            tx ->
                tx.preparedQuery(REVOKE_KEY)
                    .execute(Tuple.of(keyId, operator))
                    .compose(
                        rows ->
                            rows.rowCount() == 1
                                ? Future.<Void>succeededFuture()
                                : Future.failedFuture(
                                    new NoSuchElementException("no active key '" + keyId + "'"))))
        .onSuccess(v -> keys.forget(keyId));
  }

  /** Runs {@code change} and its one-row audit entry in one transaction. */
  private <T> Future<T> audited(
      String action, String operator, JsonObject request, Function<Transaction, Future<T>> change) {
    AdminAudit.Entry entry;
    try {
      entry = new AdminAudit.Entry(operator, action, request, 1, false);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return Transaction.run(
        pool, tx -> change.apply(tx).compose(done -> AdminAudit.record(tx, entry).map(done)));
  }

  /**
   * The tenant of a presented key, or empty when the key is unknown, malformed or revoked. A key in
   * the {@link KeyCache} is answered from it; any other is read from the database, and the future
   * fails when that read does (the key can then be neither accepted nor refused).
   */
  public Future<Optional<String>> authenticate(String presentedKey) {
    Optional<ApiKey> parsed = ApiKey.parse(presentedKey);
    if (parsed.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    ApiKey key = parsed.get();
    Optional<String> cached = keys.tenantOf(key);
    if (cached.isPresent()) {
      return Future.succeededFuture(cached);
    }
    return pool.preparedQuery(FIND_KEY)
        .execute(Tuple.of(key.id()))
        .map(
            rows -> {
              for (Row row : rows) {
                if (key.matches(row.getBuffer("secret_hash").getBytes())) {
                  String tenant = row.getString("tenant_id");
                  keys.remember(key, tenant);
                  return Optional.of(tenant);
                }
              }
              return Optional.empty();
            });
  }

  private static boolean isUniqueViolation(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  private static boolean isForeignKeyViolation(Throwable e) {
    return e instanceof PgException pg && "23503".equals(pg.getSqlState());
  }
}
