package dev.soma.resilience.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.soma.resilience.testing.DebianTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alerting rules in {@code ops/prometheus} are valid and behave as their promtool unit tests
 * say, and every rule has such a test that makes it fire. promtool comes from Debian's {@code
 * prometheus} package, found or installed by {@link DebianTool}; without it the promtool tests are
 * skipped with a loud message.
 */
class AlertRulesTest {

  private static Optional<Path> promtool;

  @BeforeAll
  static void findPromtool() {
    promtool = DebianTool.findOrInstall("promtool", "prometheus");
    if (promtool.isEmpty()) {
      System.err.println(
          "\n*** SKIPPED: promtool not found and Debian's 'prometheus' package could not be"
              + " installed: the alert rules are NOT tested by promtool on this machine ***\n");
    }
  }

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    Result check = promtool("check", "rules", OpsFiles.RULES.toString());

    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains(OpsFiles.alertExpressions().size() + " rules found");
  }

  @Test
  void everyRuleBehavesAsItsPromtoolUnitTestSays() throws Exception {
    Result test = promtool("test", "rules", OpsFiles.RULE_TESTS.toString());

    assertThat(test.exit()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
  }

  @Test
  void everyRuleHasAUnitTestInWhichItFiresAndOneInWhichItDoesNot() {
    List<Map<String, Object>> cases = OpsFiles.alertRuleTests();

    assertThat(OpsFiles.alertExpressions().keySet())
        .isNotEmpty()
        .allSatisfy(
            alert -> {
              assertThat(cases)
                  .as("a case where %s fires", alert)
                  .anyMatch(c -> alert.equals(c.get("alertname")) && !expected(c).isEmpty());
              assertThat(cases)
                  .as("a case where %s stays quiet", alert)
                  .anyMatch(c -> alert.equals(c.get("alertname")) && expected(c).isEmpty());
            });
  }

  private static List<?> expected(Map<String, Object> testCase) {
    Object alerts = testCase.get("exp_alerts");
    return alerts instanceof List<?> list ? list : List.of();
  }

  private static Result promtool(String... args) throws IOException, InterruptedException {
    assumeTrue(promtool.isPresent(), "promtool is not available (see the message above)");
    List<String> command = new java.util.ArrayList<>(List.of(promtool.get().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool ended").isTrue();
    return new Result(process.exitValue(), output);
  }

  private record Result(int exit, String output) {}
}
