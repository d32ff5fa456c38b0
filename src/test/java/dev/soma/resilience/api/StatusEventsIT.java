package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.common.http.ProblemHandler;
import dev.soma.resilience.degradation.DegradationAddresses;
import dev.soma.resilience.degradation.DegradationLevel;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.degradation.DependencyStatus;
import dev.soma.resilience.degradation.HealthState;
import dev.soma.resilience.degradation.StatusChange;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalRecord;
import dev.soma.resilience.journal.JournalSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /status/events} on a real Vert.x HTTP server, fed by status changes published on the
 * event bus as the degradation monitor publishes them: a snapshot first, then each change; a bad
 * {@code Accept} or method answered as problems; a bound on open streams; a client that stops
 * reading cut off instead of queued for; a clean end when the server stops; and a real journal's
 * state in the snapshot and in an event when it changes.
 */
class StatusEventsIT {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int MAX_STREAMS = 3;

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicLong sequence = new AtomicLong();
  private Vertx vertx;
  private DegradationStatusView view;
  private StatusPage page;
  private String deployment;
  private StatusServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    view = DegradationStatusView.open(vertx, Duration.ofMillis(500), DegradationStatusView.RESYNC);
    page = new StatusPage(view, Optional.empty(), MAX_STREAMS);
    server = new StatusServer(page);
    deployment = Blocking.await(vertx.deployVerticle(server), WAIT);
  }

  @AfterEach
  void stop() throws Exception {
    Blocking.await(vertx.close(), WAIT);
  }

  @Test
  void aStreamStartsWithTheSnapshotAndThenCarriesEachChange() throws Exception {
    Events events = open();
    await().atMost(WAIT).until(() -> events.named("snapshot").isPresent());
    JsonObject first = events.named("snapshot").orElseThrow();
    assertThat(first.getJsonObject("snapshot").getJsonObject("services")).isNotNull();
    assertThat(first.getJsonArray("history")).as("no monitor answered: no history").isEmpty();

    publish("somabrain", HealthState.UNAVAILABLE, "connection refused");

    await().atMost(WAIT).until(() -> events.named("change").isPresent());
    JsonObject change = events.named("change").orElseThrow();
    assertThat(change.getString("service")).isEqualTo("somabrain");
    assertThat(change.getJsonObject("current").getString("state")).isEqualTo("unavailable");
    assertThat(events.lines).contains("id: " + change.getLong("sequence"));
    assertThat(events.headers.firstValue("Content-Type"))
        .hasValue("text/event-stream; charset=utf-8");
  }

  @Test
  void aClientGoneTakesItsListenerWithIt() throws Exception {
    int before = view.listenerCount();
    Events events = open();
    await().atMost(WAIT).until(() -> page.openStreams() == 1);
    assertThat(view.listenerCount()).isEqualTo(before + 1);

    events.body.close();

    await().atMost(WAIT).until(() -> page.openStreams() == 0);
    assertThat(view.listenerCount()).isEqualTo(before);
  }

  @Test
  void anAcceptWithoutEventStreamsIs406() throws Exception {
    HttpResponse<String> refused =
        http.send(
            request("/status/events").header("Accept", "application/json").build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).isEqualTo(406);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(refused.body()).getString("detail")).contains("text/event-stream");
    assertThat(page.openStreams()).isZero();
  }

  @Test
  void headAnswersTheStreamsHeadersAndHoldsNoStreamOpen() throws Exception {
    HttpResponse<String> head =
        http.send(
            request("/status/events").method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    assertThat(head.body()).isEmpty();
    await().atMost(WAIT).until(() -> page.openStreams() == 0);
  }

  @Test
  void anotherMethodIs405WithAllow() throws Exception {
    HttpResponse<String> refused =
        http.send(
            request("/status/events").POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).isEqualTo(405);
    assertThat(refused.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void streamsBeyondTheBoundAre503WithRetryAfter() throws Exception {
    for (int i = 0; i < MAX_STREAMS; i++) {
      open();
    }
    await().atMost(WAIT).until(() -> page.openStreams() == MAX_STREAMS);

    HttpResponse<String> refused =
        http.send(request("/status/events").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(page.openStreams()).isEqualTo(MAX_STREAMS);
  }

  @Test
  void aClientThatStopsReadingIsCutOffInsteadOfQueuedFor() throws Exception {
    int before = view.listenerCount();
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port));
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /status/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(WAIT).until(() -> page.openStreams() == 1);

      String reason = "x".repeat(4_000);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                for (int i = 0; i < 200; i++) {
                  publish(
                      "somabrain",
                      i % 2 == 0 ? HealthState.UNAVAILABLE : HealthState.HEALTHY,
                      reason);
                }
                return page.openStreams() == 0;
              });

      assertThat(view.listenerCount()).as("the cut stream stopped listening").isEqualTo(before);
      assertThat(drainsToTheEnd(socket.getInputStream()))
          .as("the server closed the connection")
          .isTrue();
    }
  }

  @Test
  void stoppingTheServerEndsTheStreamCleanlyWithBye() throws Exception {
    Events events = open();
    await().atMost(WAIT).until(() -> events.named("snapshot").isPresent());

    Blocking.await(vertx.undeploy(deployment), WAIT);

    await().atMost(WAIT).until(() -> events.ended.get() != null);
    assertThat(events.ended.get()).as("the stream ended without an error").isEqualTo("complete");
    assertThat(events.named("bye")).isPresent();
    assertThat(page.openStreams()).isZero();
  }

  @Test
  void theJournalIsInTheSnapshotAndAChangeOfItsStateFollows() throws Exception {
    Path dir = Files.createTempDirectory("status-journal");
    Journal journal =
        Journal.open(
            new JournalSettings(dir, 1 << 20, Duration.ofHours(1), 8 << 20), Clock.systemUTC());
    try {
      StatusServer journaled =
          new StatusServer(new StatusPage(view, Optional.of(journal), MAX_STREAMS));
      Blocking.await(vertx.deployVerticle(journaled), WAIT);
      Events events = open(journaled.port);
      await().atMost(WAIT).until(() -> events.named("snapshot").isPresent());
      JsonObject idle = events.named("snapshot").orElseThrow().getJsonObject("journal");
      assertThat(idle.getString("state")).isEqualTo("idle");
      assertThat(idle.getLong("records")).isZero();

      Blocking.await(
          journal.append(
              JournalRecord.of(
                  "message", "acme", "d-1", Optional.empty(), new JsonObject(), 1_000)),
          WAIT);

      await().atMost(WAIT).until(() -> events.named("journal").isPresent());
      JsonObject journaling = events.named("journal").orElseThrow();
      assertThat(journaling.getString("state")).isEqualTo("journaling");
      assertThat(journaling.getLong("records")).isEqualTo(1);
    } finally {
      journal.close();
    }
  }

  // --- helpers

  private void publish(String service, HealthState state, String reason) {
    DegradationLevel level =
        state == HealthState.UNAVAILABLE ? DegradationLevel.CRITICAL : DegradationLevel.NONE;
    DependencyStatus status =
        new DependencyStatus(
            service,
            DependencyStatus.Kind.DEPENDENCY,
            state,
            level,
            reason,
            Instant.now(),
            false,
            0,
            0,
            0,
            List.of());
    vertx
        .eventBus()
        .publish(
            DegradationAddresses.STATUS_CHANGED,
            new StatusChange(1, sequence.incrementAndGet(), Optional.empty(), status, level)
                .toJson());
  }

  private Events open() throws Exception {
    return open(server.port);
  }

  private Events open(int port) throws Exception {
    HttpResponse<Stream<String>> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status/events"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    return new Events(response);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port + path));
  }

  /** Reads until the server closes; false when it is still open after the wait. */
  private static boolean drainsToTheEnd(InputStream in) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long until = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < until) {
      try {
        if (in.read(buffer) < 0) {
          return true;
        }
      } catch (java.net.SocketException reset) {
        return true;
      }
    }
    return false;
  }

  /** One stream's lines, read on a thread of their own; how the stream ended, once it has. */
  private static final class Events {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final AtomicReference<String> ended = new AtomicReference<>();
    final java.net.http.HttpHeaders headers;
    final Stream<String> body;

    Events(HttpResponse<Stream<String>> response) {
      this.headers = response.headers();
      this.body = response.body();
      Thread reader =
          new Thread(
              () -> {
                try {
                  body.forEach(lines::add);
                  ended.set("complete");
                } catch (RuntimeException e) {
                  ended.set("failed: " + e);
                }
              },
              "status-events-reader");
      reader.setDaemon(true);
      reader.start();
    }

    /** The data of the first event called {@code name}. */
    Optional<JsonObject> named(String name) {
      List<String> seen = List.copyOf(lines);
      for (int i = 0; i + 1 < seen.size(); i++) {
        if (seen.get(i).equals("event: " + name) && seen.get(i + 1).startsWith("data: ")) {
          return Optional.of(new JsonObject(seen.get(i + 1).substring("data: ".length())));
        }
      }
      return Optional.empty();
    }
  }

  /** The status page alone on a real HTTP server, with the API's 404/405 and problem handling. */
  private static final class StatusServer extends VerticleBase {
    private final StatusPage page;
    volatile int port;

    StatusServer(StatusPage page) {
      this.page = page;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      HeadAsGet.mount(router); // as OperationsApi does
      page.mount(vertx, router);
      router.route().last().handler(new NoRoute(router));
      router.route().failureHandler(new ProblemHandler());
      return vertx
          .createHttpServer()
          .requestHandler(router)
          .listen(0, "127.0.0.1")
          .onSuccess(s -> port = s.actualPort());
    }
  }
}
