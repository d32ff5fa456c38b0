package dev.soma.resilience.cli;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.db.TimeCursor;
import dev.soma.resilience.config.ConfigException;
import dev.soma.resilience.tenant.TenantDirectory;
import dev.soma.resilience.tenant.Tenants;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tenants create|create-key|revoke-key|list|keys}: the operator's tenant and API key tools;
 * each change says who acts ({@link ActingOperator}) and is audited; the listings print JSON lines
 * and never a key's secret ({@link TenantDirectory}).
 */
@Command(
    name = "tenants",
    description = "Create tenants and their API keys, revoke keys, list both.",
    subcommands = {
      TenantsCommand.Create.class,
      TenantsCommand.CreateKey.class,
      TenantsCommand.RevokeKey.class,
      TenantsCommand.ListTenants.class,
      TenantsCommand.ListKeys.class
    })
final class TenantsCommand {

  /**
   * A tenant action: says who acts, runs on the tenants of the started tools and prints one line.
   */
  abstract static class Action extends ToolCommand {
    @Mixin ActingOperator operator;

    /** The action of {@code operator} (the acting operator's name) on {@code tenants}. */
    abstract String run(Tenants tenants, String operator) throws Exception;

    /** Refuses a bad argument before anything starts ({@link ConfigException}: status 2). */
    void checkArguments() {}

    @Override
    final void check() {
      operator.name();
      checkArguments();
    }

    @Override
    final int run(Application app) throws Exception {
      return printLine(run(new Tenants(app.pool()), operator.name()));
    }
  }

  @Command(name = "create", description = "Create a tenant.")
  static final class Create extends Action {
    @Parameters(paramLabel = "ID", description = "Tenant id: [a-z0-9._-], up to 63 characters.")
    String id;

    @Option(names = "--name", description = "Display name (default: the id).")
    String name;

    @Override
    void checkArguments() {
      if (!Tenants.isValidId(id)) {
        throw new ConfigException(Tenants.ID_RULE + ", but was '" + id + "'");
      }
      OptionRules.shortText("--name", name, Tenants.NAME_MAX);
    }

    @Override
    String run(Tenants tenants, String operator) throws Exception {
      return await(tenants.create(id, name, operator)).encode();
    }
  }

  @Command(
      name = "create-key",
      description = "Create an API key for a tenant; the key is printed once and never again.")
  static final class CreateKey extends Action {
    @Parameters(paramLabel = "TENANT", description = "The tenant's id.")
    String tenant;

    @Option(names = "--label", description = "What the key is for.")
    String label;

    @Override
    void checkArguments() {
      OptionRules.shortText("--label", label, Tenants.NAME_MAX);
    }

    @Override
    String run(Tenants tenants, String operator) throws Exception {
      return await(tenants.createKey(tenant, label, operator)).encode();
    }
  }

  @Command(name = "revoke-key", description = "Revoke an API key at once.")
  static final class RevokeKey extends Action {
    @Parameters(paramLabel = "KEY_ID", description = "The key's id (the part after soma_).")
    String keyId;

    @Override
    String run(Tenants tenants, String operator) throws Exception {
      await(tenants.revokeKey(keyId, operator));
      return "key " + keyId + " revoked";
    }
  }

  /**
   * A listing: reads, so nobody need say who acts; prints JSON lines of at most --limit, and the
   * next page's --cursor on standard error when there may be more.
   */
  abstract static class Listing extends ToolCommand {
    @Option(
        names = "--limit",
        defaultValue = "500",
        description = "At most this many (1-500, default 500).")
    int limit;

    @Option(
        names = "--cursor",
        description = "Continue where the last page ended (what 'more:' printed).")
    String cursor;

    /** The page {@code directory} lists: {@code {"<items()>": [...], "nextCursor"}}. */
    abstract Future<JsonObject> page(TenantDirectory directory);

    /** The field of the page that holds the listed items. */
    abstract String items();

    /** Refuses a --cursor this listing cannot have printed, before anything starts. */
    void checkCursor() {}

    @Override
    final void check() {
      OptionRules.within("--limit", limit, 1, TenantDirectory.PAGE_MAX, "");
      checkCursor();
    }

    @Override
    final int run(Application app) throws Exception {
      printPage(await(page(new TenantDirectory(app.pool()))), items());
      return 0;
    }
  }

  @Command(
      name = "list",
      description = "Print tenants as JSON lines, in id order, with their active key counts.")
  static final class ListTenants extends Listing {
    @Override
    Future<JsonObject> page(TenantDirectory directory) {
      return directory.tenants(cursor, limit);
    }

    @Override
    void checkCursor() {
      requirePrintedCursor(TenantDirectory::requireTenantCursor, cursor);
    }

    @Override
    String items() {
      return "tenants";
    }
  }

  @Command(
      name = "keys",
      description =
          "Print a tenant's API keys as JSON lines, newest first, revoked ones too (never a"
              + " secret).")
  static final class ListKeys extends Listing {
    @Parameters(paramLabel = "TENANT", description = "The tenant's id.")
    String tenant;

    @Override
    void checkCursor() {
      requirePrintedCursor(TimeCursor::parse, cursor);
    }

    @Override
    Future<JsonObject> page(TenantDirectory directory) {
      return directory.keys(tenant, cursor, limit);
    }

    @Override
    String items() {
      return "keys";
    }
  }
}
