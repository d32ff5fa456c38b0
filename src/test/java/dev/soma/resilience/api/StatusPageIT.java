package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.AnthropicDouble;
import dev.soma.resilience.testing.HeadlessChromium;
import dev.soma.resilience.testing.OpenAiDouble;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.SomaBrainDouble;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * The status page in a real browser (Debian's headless Chromium, {@link HeadlessChromium}) against
 * the whole service on real PostgreSQL, Kafka and Redis, with SomaBrain played by its double: the
 * page shows SomaBrain go down and come back without being reloaded, and with the admin token it
 * shows a tenant's backlog, forces a breaker open and runs a replay dry run. Screenshots go to
 * {@code target/status-page/}. Without Chromium (not found, not installable) it is skipped with a
 * loud message.
 */
@ExtendWith(TestServices.class)
class StatusPageIT {

  private static final String ADMIN = "admin-token-for-the-status-page-0123456789";
  private static final String TENANT = "status-page";
  private static final Path SHOTS = Path.of("target", "status-page");
  private static final Duration PAGE = Duration.ofSeconds(30);
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final Vertx doubles = Vertx.vertx();
  private static Optional<HeadlessChromium.Paths> chromium;
  private static SomaBrainDouble brain;
  private static Application app;

  @BeforeAll
  static void start() throws Exception {
    chromium = HeadlessChromium.find();
    if (chromium.isEmpty()) {
      System.err.println(
          "\n*** SKIPPED: chromium or chromedriver not found and Debian's 'chromium' /"
              + " 'chromium-driver' packages could not be installed: the status page is NOT"
              + " tested in a browser on this machine ***\n");
      return;
    }
    brain = SomaBrainDouble.start(doubles, "brain-token");
    OpenAiDouble openai = new OpenAiDouble(doubles);
    AnthropicDouble anthropic = new AnthropicDouble(doubles);
    ServiceConfig config =
        OutboxFixture.wholeService(
            "status-page",
            Map.of(
                "SA01_ADMIN_TOKEN", ADMIN,
                "SA01_SOMABRAIN_URL", brain.url(),
                "SA01_SOMABRAIN_TOKEN", "brain-token",
                "SA01_DEGRADATION_PROBE_INTERVAL_MS", "300",
                "SA01_LLM_OPENAI_BASE_URL", openai.baseUrl(),
                "SA01_LLM_OPENAI_API_KEY", "sk-openai-test",
                "SA01_LLM_ANTHROPIC_BASE_URL", anthropic.baseUrl(),
                "SA01_LLM_ANTHROPIC_API_KEY", "sk-ant-test",
                "SA01_LLM_OPENROUTER_API_KEY", ""));
    app = Application.start(config, Application.Role.SERVICE);
    backlogOf(TENANT);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (brain != null) {
      brain.close();
    }
    Blocking.await(doubles.close(), Duration.ofSeconds(10));
  }

  @Test
  void theOperatorWatchesSomaBrainGoDownAndComeBackThenActsWithTheAdminToken() throws Exception {
    assumeTrue(chromium.isPresent(), "no Chromium (see the message above)");
    ChromeDriver browser =
        HeadlessChromium.start(chromium.get(), 1280, 2000, SHOTS.resolve("chromedriver.log"));
    try {
      browser.get(url("/status"));
      await().atMost(PAGE).until(() -> "healthy".equals(stateOnPage(browser, "somabrain")));
      browser.executeScript("window.sameDocument = 'not reloaded';");

      brain.down();
      await().atMost(PAGE).until(() -> "unavailable".equals(stateOnPage(browser, "somabrain")));
      screenshot(browser, "somabrain-down.png");

      brain.up();
      await().atMost(PAGE).until(() -> "healthy".equals(stateOnPage(browser, "somabrain")));
      assertThat(browser.executeScript("return window.sameDocument;"))
          .as("the page followed the changes without a reload")
          .isEqualTo("not reloaded");
      assertThat(text(browser, "#history")).contains("somabrain");
      assertThat(text(browser, "#journal")).startsWith("idle 0 records waiting for PostgreSQL");

      unlock(browser);
      await()
          .atMost(PAGE)
          .until(() -> text(browser, "#outbox tr[data-tenant='" + TENANT + "']").contains("2"));
      assertThat(text(browser, "#outbox tr[data-tenant='" + TENANT + "']"))
          .as("pending 2, both retrying (not due for a day)")
          .startsWith(TENANT + " 2 2");
      assertThat(text(browser, "#dead-letters")).contains(TENANT).contains("BrokerRefused");
      assertThat(text(browser, "#failovers")).contains("llm");
      assertTokenOnlyInSessionStorage(browser);

      click(
          browser,
          "#breakers tr[data-dependency='somabrain'][data-tenant='_all'] [data-action='force-open']");
      await()
          .atMost(PAGE)
          .until(
              () ->
                  text(browser, "#breakers tr[data-dependency='somabrain'][data-tenant='_all']")
                      .contains("forced-open by page-operator"));
      assertThat(somabrainOverride()).isEqualTo("forced-open");
      screenshot(browser, "breaker-forced-open.png");

      click(
          browser,
          "#breakers tr[data-dependency='somabrain'][data-tenant='_all'] [data-action='release']");
      await().atMost(PAGE).until(() -> somabrainOverride().equals("none"));

      browser.findElement(By.cssSelector("#replay [name='tenantId']")).sendKeys(TENANT);
      browser.findElement(By.cssSelector("#replay [name='status']")).sendKeys("dead");
      browser.findElement(By.cssSelector("#replay button[type='submit']")).click();
      await()
          .atMost(PAGE)
          .until(() -> text(browser, "#replay-result").startsWith("Would replay 3 events"));
      screenshot(browser, "admin.png");

      browser.manage().window().setSize(new Dimension(390, 844));
      await()
          .atMost(PAGE)
          .until(
              () ->
                  (Boolean)
                      browser.executeScript(
                          "return document.documentElement.scrollWidth <= window.innerWidth;"));
      browser.executeScript("window.scrollTo(0, 0);");
      screenshot(browser, "phone.png");

      assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
          .as("nothing refused or failed in the browser's console")
          .extracting(LogEntry::getMessage)
          .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Uncaught"));
    } finally {
      browser.quit();
    }
  }

  /** Types the token and the operator's name as an operator would. */
  private static void unlock(ChromeDriver browser) {
    browser.findElement(By.id("token")).sendKeys(ADMIN);
    browser.findElement(By.cssSelector("#unlock button")).click();
    await().atMost(PAGE).until(() -> browser.findElement(By.id("admin")).isDisplayed());
    browser.findElement(By.id("operator")).sendKeys("page-operator");
  }

  private static void assertTokenOnlyInSessionStorage(ChromeDriver browser) {
    assertThat(browser.getCurrentUrl()).doesNotContain(ADMIN);
    assertThat(browser.executeScript("return JSON.stringify(sessionStorage);").toString())
        .contains(ADMIN);
    assertThat(browser.executeScript("return JSON.stringify(localStorage);").toString())
        .doesNotContain(ADMIN);
    assertThat(browser.executeScript("return document.cookie;").toString()).isEmpty();
  }

  /** The state the page shows for {@code service}, read by script (the page re-renders often). */
  private static String stateOnPage(ChromeDriver browser, String service) {
    return (String)
        browser.executeScript(
            "const e = document.querySelector(\".service[data-service='\" + arguments[0]"
                + " + \"']\"); return e ? e.dataset.state : null;",
            service);
  }

  private static String text(ChromeDriver browser, String selector) {
    Object text =
        browser.executeScript(
            "const e = document.querySelector(arguments[0]);"
                + " return e ? e.innerText.replace(/\\s+/g, ' ').trim() : '';",
            selector);
    return String.valueOf(text);
  }

  /** Clicks what {@code selector} finds, again if a re-render replaced it under the click. */
  private static void click(ChromeDriver browser, String selector) {
    await()
        .atMost(PAGE)
        .ignoreExceptions()
        .until(
            () -> {
              browser.findElement(By.cssSelector(selector)).click();
              return true;
            });
  }

  private static void screenshot(ChromeDriver browser, String name) throws Exception {
    Files.createDirectories(SHOTS);
    Files.write(SHOTS.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
  }

  /** The override of SomaBrain's own breaker as {@code GET /admin/breakers} has it, or none. */
  private static String somabrainOverride() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url("/admin/breakers")))
                .header("Authorization", "Bearer " + ADMIN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new JsonObject(response.body())
        .getJsonArray("breakers").stream()
            .map(JsonObject.class::cast)
            .filter(b -> b.getString("dependency").equals("somabrain"))
            .filter(b -> b.getString("tenant").equals("_all"))
            .map(b -> b.getJsonObject("override"))
            .map(o -> o == null ? "none" : o.getString("mode"))
            .findFirst()
            .orElseThrow();
  }

  /**
   * Two pending rows that failed once and wait a day for their next attempt, three dead rows and
   * one dead letter for {@code tenant}.
   */
  private static void backlogOf(String tenant) throws Exception {
    String topic = TestServices.topic("status-page");
    String pending =
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, attempts,"
            + " next_attempt_at) VALUES ($1, $2, $3, '{}', $4, now() + interval '1 day')";
    String dead =
        "INSERT INTO outbox_messages (tenant_id, dedupe_key, topic, payload, status, attempts)"
            + " VALUES ($1, $2, $3, '{}', 'dead', 5)";
    for (List<Object> row :
        List.<List<Object>>of(
            List.of(pending, "p-1", 1),
            List.of(pending, "p-2", 2),
            List.of(dead, "d-1"),
            List.of(dead, "d-2"),
            List.of(dead, "d-3"))) {
      Tuple values = Tuple.of(tenant, row.get(1), topic);
      if (row.size() > 2) {
        values.addValue(row.get(2));
      }
      Blocking.await(
          app.pool().preparedQuery((String) row.get(0)).execute(values), Duration.ofSeconds(10));
    }
    Blocking.await(
        app.pool()
            .preparedQuery(
                "INSERT INTO dead_letter_messages (outbox_id, tenant_id, dedupe_key, topic,"
                    + " message_key, payload, headers, error_message, error_class, attempts,"
                    + " created_at) SELECT id, tenant_id, dedupe_key, topic, dedupe_key, payload,"
                    + " headers, 'the broker refused it', 'BrokerRefused', attempts, created_at"
                    + " FROM outbox_messages WHERE tenant_id = $1 AND dedupe_key = 'd-1'")
            .execute(Tuple.of(tenant)),
        Duration.ofSeconds(10));
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + app.httpPort() + path;
  }
}
