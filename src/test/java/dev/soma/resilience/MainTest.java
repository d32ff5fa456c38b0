package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's own options, which need no server. */
class MainTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void versionPrintsTheBuildsVersionForTheServiceAndEveryCommand() {
    assertThat(run("--version")).isZero();
    assertThat(run("-V")).isZero();
    assertThat(run("dead-letters", "list", "--version")).isZero();

    assertThat(out.toString().lines())
        .hasSize(3)
        .allSatisfy(
            line -> assertThat(line).matches("soma-resilience \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"));
    assertThat(err.toString()).isEmpty();
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine(Map.of());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
