package dev.soma.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The service's own {@code logback.xml} (tests log through {@code logback-test.xml}): its lines go
 * to standard error, so standard output carries only the commands' results.
 */
class LogbackConfigTest {

  @Test
  void theServiceLogsToStandardErrorAndNeverToStandardOutput() throws Exception {
    PrintStream realOut = System.out;
    PrintStream realErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(Path.of("src/main/resources/logback.xml").toFile());

      context.getLogger("dev.soma.resilience.Application").info("a line of the log");
    } finally {
      context.stop();
      System.setOut(realOut);
      System.setErr(realErr);
    }

    assertThat(err.toString(StandardCharsets.UTF_8)).contains("INFO").contains("a line of the log");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
