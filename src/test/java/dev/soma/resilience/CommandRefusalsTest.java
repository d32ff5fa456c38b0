package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Command lines refused before anything starts (no database needed): one line, exit 2. */
class CommandRefusalsTest {

  private final StringWriter err = new StringWriter();

  @Test
  void aTenantsCursorThatIsNoTenantIdIsRefusedAsNotPrinted() {
    assertThat(run("tenants", "list", "--cursor=%%%")).isEqualTo(2);
    assertThat(err.toString().strip())
        .startsWith("--cursor is not one this command printed")
        .doesNotContain("Exception");
  }

  private int run(String... args) {
    CommandLine cli = Main.commandLine(Map.of());
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }
}
