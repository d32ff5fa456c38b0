package dev.soma.resilience;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.tenant.Tenants;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tenants create|create-key|revoke-key}: the operator's tenant and API key tools. */
@Command(
    name = "tenants",
    mixinStandardHelpOptions = true,
    description = "Create tenants and their API keys, revoke keys.",
    subcommands = {
      TenantsCommand.Create.class,
      TenantsCommand.CreateKey.class,
      TenantsCommand.RevokeKey.class
    })
final class TenantsCommand {

  @ParentCommand Main main;

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
  static final class Create implements Callable<Integer> {
    @ParentCommand TenantsCommand parent;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "Tenant id: [a-z0-9._-], up to 63 characters.")
    String id;

    @Option(names = "--name", description = "Display name (default: the id).")
    String name;

    @Override
    public Integer call() throws Exception {
      return parent.withTenants(
          spec,
          tenants -> {
            spec.commandLine()
                .getOut()
                .println(Blocking.await(tenants.create(id, name), Duration.ofMinutes(1)).encode());
            return 0;
          });
    }
  }

  @Command(
      name = "create-key",
      mixinStandardHelpOptions = true,
      description = "Create an API key for a tenant; the key is printed once and never again.")
  static final class CreateKey implements Callable<Integer> {
    @ParentCommand TenantsCommand parent;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "TENANT", description = "The tenant's id.")
    String tenant;

    @Option(names = "--label", description = "What the key is for.")
    String label;

    @Option(names = "--by", defaultValue = "cli", description = "Who creates it (kept on the key).")
    String operator;

    @Override
    public Integer call() throws Exception {
      return parent.withTenants(
          spec,
          tenants -> {
            spec.commandLine()
                .getOut()
                .println(
                    Blocking.await(
                            tenants.createKey(tenant, label, operator), Duration.ofMinutes(1))
                        .encode());
            return 0;
          });
    }
  }

  @Command(
      name = "revoke-key",
      mixinStandardHelpOptions = true,
      description = "Revoke an API key at once.")
  static final class RevokeKey implements Callable<Integer> {
    @ParentCommand TenantsCommand parent;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "KEY_ID", description = "The key's id (the part after soma_).")
    String keyId;

    @Option(names = "--by", defaultValue = "cli", description = "Who revokes it.")
    String operator;

    @Override
    public Integer call() throws Exception {
      return parent.withTenants(
          spec,
          tenants -> {
            Blocking.await(tenants.revokeKey(keyId, operator), Duration.ofMinutes(1));
            spec.commandLine().getOut().println("key " + keyId + " revoked");
            return 0;
          });
    }
  }

  private interface Action {
    int run(Tenants target) throws Exception;
  }

  private int withTenants(CommandSpec spec, Action action) throws Exception {
    return main.withTools(spec, app -> action.run(new Tenants(app.pool())));
  }
}
