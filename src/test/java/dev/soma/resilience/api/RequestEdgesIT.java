package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.soma.resilience.Application;
import dev.soma.resilience.common.Blocking;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.testing.OutboxFixture;
import dev.soma.resilience.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The API's edges over real HTTP and PostgreSQL: text that cannot be stored, control characters in
 * paths and queries, forms and wrong content types, wrong methods, broken WebSocket handshakes and
 * requests the HTTP decoder refuses. Every answer is a 4xx problem+json, no ERROR is logged and
 * nothing is written. The service listens on 127.0.0.2 only ({@code SA01_HTTP_HOST}).
 */
@ExtendWith(TestServices.class)
class RequestEdgesIT {

  private static final String HOST = "127.0.0.2";
  private static final String ADMIN = "admin-token-for-tests-0123456789";
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private static Application app;
  private static String key;
  private static java.nio.file.Path dataDir;
  private static io.vertx.core.http.WebSocketClient sockets;

  @BeforeAll
  static void start() throws Exception {
    dataDir = TestServices.tempDir("edges");
    ServiceConfig config =
        OutboxFixture.config(
            Map.of(
                "SA01_DATABASE_URL",
                TestServices.databaseUrlSetting(TestServices.freshDatabase()),
                "SA01_KAFKA_BOOTSTRAP_SERVERS",
                TestServices.kafkaBootstrap(),
                "SA01_HTTP_HOST",
                HOST,
                "SA01_HTTP_PORT",
                "0",
                "SA01_DATA_DIR",
                dataDir.toString(),
                "SA01_ADMIN_TOKEN",
                ADMIN,
                "SA01_API_RATE_LIMIT_PER_SECOND",
                "10000",
                "SA01_API_RATE_LIMIT_BURST",
                "10000"));
    app = Application.start(config, Application.Role.SERVICE);
    assertThat(admin("POST", "/admin/tenants", "{\"id\":\"edges\"}").statusCode()).isEqualTo(201);
    key =
        new JsonObject(admin("POST", "/admin/tenants/edges/keys", "{}").body()).getString("apiKey");
    log.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(log);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(log);
    if (app != null) {
      app.close();
    }
  }

  @BeforeEach
  void forgetTheLog() {
    log.list.clear();
  }

  // --- text that cannot be stored

  @Test
  void aNulCharacterInAnyJsonStringIsRefusedNamingTheFieldAndNothingIsWritten() throws Exception {
    Map<String, List<String>> cases =
        Map.of(
            "/v1/conversations/c/messages",
            List.of(
                "{\"content\":\"a\\u0000b\"}",
                "{\"content\":\"ok\",\"metadata\":{\"note\":{\"deep\":[\"x\",\"\\u0000\"]}}}",
                "{\"content\":\"ok\",\"metadata\":{\"a\\u0000\":1}}"),
            "/v1/conversations/c/tool-results",
            List.of(
                "{\"executionId\":\"e1\",\"toolName\":\"t\\u0000\",\"result\":1}",
                "{\"executionId\":\"e1\",\"toolName\":\"t\",\"result\":{\"r\":\"\\u0000\"}}"),
            "/v1/chat",
            List.of("{\"conversationId\":\"c\",\"message\":\"hi\\u0000\"}"),
            "/v1/memories/recall",
            List.of("{\"query\":\"q\\u0000\"}"),
            "/v1/memories",
            List.of("{\"value\":{\"fact\":\"\\u0000\"},\"mode\":\"async\"}"));
    Map<String, String> fields =
        Map.of(
            "/v1/conversations/c/messages", "content|metadata.note.deep[1]|metadata.a",
            "/v1/conversations/c/tool-results", "toolName|result.r",
            "/v1/chat", "message",
            "/v1/memories/recall", "query",
            "/v1/memories", "value.fact");

    cases.forEach(
        (path, bodies) ->
            bodies.forEach(
                body -> {
                  HttpResponse<String> answer = post(key, path, "application/json", body);
                  assertProblem(answer, 400);
                  assertThat(detail(answer))
                      .as(body)
                      .contains("NUL")
                      .containsAnyOf(fields.get(path).split("\\|"));
                }));
    HttpResponse<String> tenant =
        admin("POST", "/admin/tenants", "{\"id\":\"nul-name\",\"name\":\"x\\u0000\"}");
    assertProblem(tenant, 400);
    assertThat(detail(tenant)).contains("'name'");
    assertNothingWritten();
    assertNoErrorLogged();
  }

  @Test
  void bytesThatAreNotUtf8AreRefusedRatherThanReplacedOrReadAsAnotherCharacter() throws Exception {
    byte[][] bodies = {
      content((byte) 0xff, (byte) 0xfe), // bytes no UTF-8 text has
      content((byte) 'a', (byte) 0xc0, (byte) 0xaf, (byte) 'b'), // an overlong '/': "a/b"
      content((byte) 0xed, (byte) 0xa0, (byte) 0x80), // an encoded surrogate (U+D800)
    };
    for (byte[] body : bodies) {
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(uri("/v1/conversations/utf8/messages"))
                  .header("Authorization", "Bearer " + key)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertProblem(answer, 400);
      assertThat(detail(answer)).isEqualTo("the body is not valid UTF-8");
    }
    assertNothingWritten();
  }

  @Test
  void aNameGivenTwiceInAnObjectOrAJsonCommentIsRefusedAndNothingIsWritten() throws Exception {
    String path = "/v1/conversations/dup/messages";
    HttpResponse<String> twice =
        post(key, path, "application/json", "{\"content\":\"a\",\"content\":\"b\"}");
    assertProblem(twice, 400);
    assertThat(detail(twice)).isEqualTo("the field 'content' is given twice in one object");

    HttpResponse<String> deep =
        post(
            key,
            path,
            "application/json",
            "{\"content\":\"a\",\"metadata\":{\"k\":[{\"x\":1,\"x\":2}],\"y\":{\"x\":3}}}");
    assertProblem(deep, 400);
    assertThat(detail(deep)).isEqualTo("the field 'x' is given twice in one object");

    HttpResponse<String> comment =
        post(key, path, "application/json", "{/* a comment */\"content\":\"a\"}");
    assertProblem(comment, 400);
    assertThat(detail(comment)).isEqualTo("the body is not valid JSON");
    assertNothingWritten();

    // the same name in different objects is fine
    HttpResponse<String> apart =
        post(
            key,
            "/v1/conversations/t/messages",
            "application/json",
            "{\"content\":\"a\",\"metadata\":{\"content\":{\"content\":1}}}");
    assertThat(apart.statusCode()).as(apart.body()).isEqualTo(202);
  }

  @Test
  void anUnpairedSurrogateIsRefusedRatherThanStoredAsAQuestionMark() throws Exception {
    for (String body :
        List.of(
            "{\"content\":\"a\\ud800b\"}",
            "{\"content\":\"end\\udc00\"}",
            "{\"content\":\"ok\",\"metadata\":{\"k\":\"\\ud83d\"}}")) {
      HttpResponse<String> answer =
          post(key, "/v1/conversations/s/messages", "application/json", body);
      assertProblem(answer, 400);
      assertThat(detail(answer)).as(body).contains("surrogate");
    }
    // a proper pair (an emoji) is text like any other
    assertThat(
            post(
                    key,
                    "/v1/conversations/s/messages",
                    "application/json",
                    "{\"content\":\"\\ud83d\\ude00\"}")
                .statusCode())
        .isEqualTo(202);
    assertThat(count("SELECT count(*) FROM conversation_messages WHERE conversation_id = 's'"))
        .isEqualTo(1);
    assertNoErrorLogged();
  }

  @Test
  void aNumberTooLargeForADoubleIsRefusedRatherThanStoredAsTheTextInfinity() throws Exception {
    Map<String, String> cases =
        Map.of(
            "/v1/conversations/n/messages",
            "{\"content\":\"ok\",\"metadata\":{\"n\":[1, 1e400]}}",
            "/v1/conversations/n/tool-results",
            "{\"executionId\":\"e1\",\"toolName\":\"t\",\"result\":-1e999}");
    for (var c : cases.entrySet()) {
      HttpResponse<String> answer = post(key, c.getKey(), "application/json", c.getValue());

      assertProblem(answer, 400);
      assertThat(detail(answer)).as(c.getValue()).contains("too large");
    }
    assertThat(
            detail(
                post(
                    key,
                    "/v1/conversations/n/messages",
                    "application/json",
                    cases.get("/v1/conversations/n/messages"))))
        .contains("'metadata.n[1]'");
    assertNothingWritten();
    assertNoErrorLogged();
  }

  @Test
  void aWebSocketChatMessageWithANulIsAnErrorMessageNotAStoredTurn() throws Exception {
    var vertx = io.vertx.core.Vertx.vertx();
    try {
      // a field, not a local: an unreferenced client may be closed under the handshake
      sockets = vertx.createWebSocketClient();
      var messages = new java.util.concurrent.LinkedBlockingQueue<JsonObject>();
      // the handler is in place before the connection: the first push may come with the upgrade
      var socket = sockets.webSocket();
      socket.textMessageHandler(text -> messages.add(new JsonObject(text)));
      connect(socket);
      assertThat(messages.poll(10, java.util.concurrent.TimeUnit.SECONDS).getString("type"))
          .isEqualTo("status");

      socket.writeTextMessage("{\"conversationId\":\"ws\",\"message\":\"hi\\u0000\"}");

      JsonObject error = messages.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(error.getString("type")).isEqualTo("error");
      assertThat(error.getInteger("status")).isEqualTo(400);
      assertThat(error.getString("message")).contains("'message'").contains("NUL");
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(10));
    }
    assertNothingWritten();
  }

  @Test
  void aWebSocketMessageOverTheBodyLimitClosesTheSocketWith1009() throws Exception {
    String big = "{\"conversationId\":\"big\",\"message\":\"" + "x".repeat(200_000) + "\"}";
    // as one frame, as browsers send a message, and in frames of 4 KiB: both over 64 KiB in all
    for (int frameSize : new int[] {1 << 20, 4096}) {
      var vertx = io.vertx.core.Vertx.vertx();
      try {
        sockets =
            vertx.createWebSocketClient(
                new io.vertx.core.http.WebSocketClientOptions().setMaxFrameSize(frameSize));
        var socket = sockets.webSocket();
        var closed = closeStatus(socket);
        connect(socket);

        socket.writeTextMessage(big);

        assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS))
            .as("frames of %d bytes", frameSize)
            .isEqualTo((short) 1009);
      } finally {
        Blocking.await(vertx.close(), Duration.ofSeconds(10));
      }
    }
    assertNothingWritten();
    assertNoErrorLogged();
  }

  @Test
  void aWebSocketTextMessageThatIsNotUtf8ClosesTheSocketWith1007AndIsNotHandled() throws Exception {
    byte[] start = "{\"type\":\"chat\",\"conversationId\":\"utf\",\"message\":\"a".getBytes();
    byte[] bad = {(byte) 0xC3, 0x28}; // not UTF-8
    byte[] end = "\"}".getBytes();
    // the bad bytes in a frame of their own, and the whole message in one frame
    for (boolean oneFrame : new boolean[] {false, true}) {
      var vertx = io.vertx.core.Vertx.vertx();
      try {
        sockets = vertx.createWebSocketClient();
        var answers = new java.util.concurrent.CopyOnWriteArrayList<String>();
        var socket = sockets.webSocket();
        var closed = closeStatus(socket);
        socket.textMessageHandler(answers::add);
        connect(socket);

        if (oneFrame) {
          // the public API makes a text frame only from a String, which is always UTF-8
          socket.writeFrame(
              new io.vertx.core.http.impl.ws.WebSocketFrameImpl(
                  io.vertx.core.http.WebSocketFrameType.TEXT,
                  io.vertx.core.buffer.Buffer.buffer(start)
                      .appendBytes(bad)
                      .appendBytes(end)
                      .getBytes(),
                  true));
        } else {
          socket.writeFrame(io.vertx.core.http.WebSocketFrame.textFrame(new String(start), false));
          socket.writeFrame(
              io.vertx.core.http.WebSocketFrame.continuationFrame(
                  io.vertx.core.buffer.Buffer.buffer(bad), false));
          socket.writeFrame(
              io.vertx.core.http.WebSocketFrame.continuationFrame(
                  io.vertx.core.buffer.Buffer.buffer(end), true));
        }

        assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS))
            .as("in one frame: %s", oneFrame)
            .isEqualTo((short) 1007);
        assertThat(answers)
            .as("in one frame: %s", oneFrame)
            .allSatisfy(a -> assertThat(a).contains("\"type\":\"status\""));
        // a chat that ran would store its message (even when no model answers)
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    count(
                            "SELECT count(*) FROM conversation_messages WHERE conversation_id = 'utf'")
                        == 0);
      } finally {
        Blocking.await(vertx.close(), Duration.ofSeconds(10));
      }
    }
    assertNothingWritten();
    assertNoErrorLogged();
  }

  @Test
  void aCharacterSplitBetweenTwoFramesOfAWebSocketMessageIsUtf8AndIsHandled() throws Exception {
    var vertx = io.vertx.core.Vertx.vertx();
    try {
      sockets = vertx.createWebSocketClient();
      var answered = new java.util.concurrent.CompletableFuture<String>();
      var socket = sockets.webSocket();
      socket.textMessageHandler(
          a -> {
            if (!a.contains("\"type\":\"status\"")) {
              answered.complete(a);
            }
          });
      connect(socket);

      // "é" is 0xC3 0xA9: its first byte ends one frame, its second starts the next; the message
      // has a field a chat does not take, so the answer is an error that names it
      socket.writeFrame(
          io.vertx.core.http.WebSocketFrame.textFrame("{\"type\":\"chat\",\"bogus\":\"caf", false));
      socket.writeFrame(
          io.vertx.core.http.WebSocketFrame.continuationFrame(
              io.vertx.core.buffer.Buffer.buffer(new byte[] {(byte) 0xC3}), false));
      socket.writeFrame(
          io.vertx.core.http.WebSocketFrame.continuationFrame(
              io.vertx.core.buffer.Buffer.buffer(new byte[] {(byte) 0xA9, '"', '}'}), true));

      String answer = answered.get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(answer).contains("\"type\":\"error\"").contains("bogus");
      assertThat(socket.isClosed()).isFalse();
    } finally {
      Blocking.await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  @Test
  void aBinaryWebSocketMessageClosesTheSocketWith1003Or1009WhenOverTheLimit() throws Exception {
    var small = io.vertx.core.buffer.Buffer.buffer("{\"type\":\"chat\"}");
    var big = io.vertx.core.buffer.Buffer.buffer(new byte[200_000]);
    // a small one is refused for its type; one over the limit, in frames of 4 KiB, for its size
    for (var sent : Map.of(small, (short) 1003, big, (short) 1009).entrySet()) {
      var vertx = io.vertx.core.Vertx.vertx();
      try {
        sockets =
            vertx.createWebSocketClient(
                new io.vertx.core.http.WebSocketClientOptions().setMaxFrameSize(4096));
        var socket = sockets.webSocket();
        var closed = closeStatus(socket);
        connect(socket);

        socket.writeBinaryMessage(sent.getKey());

        assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS))
            .as("%d bytes", sent.getKey().length())
            .isEqualTo(sent.getValue());
      } finally {
        Blocking.await(vertx.close(), Duration.ofSeconds(10));
      }
    }
    assertNoErrorLogged();
  }

  @Test
  void controlCharactersInAdminPathsAndQueriesAre400NamingWhere() throws Exception {
    HttpResponse<String> key = admin("POST", "/admin/tenants/edges%00/keys", "{}");
    assertProblem(key, 400);
    assertThat(detail(key)).contains("path segment 3");
    assertProblem(admin("DELETE", "/admin/keys/k%0Ay", null), 400);
    HttpResponse<String> list = admin("GET", "/admin/dead-letters?tenant=edges%00", null);
    assertProblem(list, 400);
    assertThat(detail(list)).contains("'tenant'");
    assertProblem(admin("GET", "/admin/dead-letters?tenant%01=x", null), 400);
    assertThat(count("SELECT count(*) FROM api_keys")).isEqualTo(1);
    assertNoErrorLogged();
  }

  @Test
  void aMalformedPercentEscapeInAnyPathIs400ProblemJsonWithoutAStackTrace() throws Exception {
    for (String path :
        List.of(
            "/v1/conversations/a%zz/messages",
            "/v1/uploads/a%zz",
            "/admin/tenants/a%zz/keys",
            "/nothing%zz",
            "/health/live%2",
            "/metrics%")) {
      String answer = rawGet(path);

      assertThat(answer).as(path).startsWith("HTTP/1.1 400 ");
      assertThat(answer.toLowerCase(java.util.Locale.ROOT))
          .as(path)
          .contains("content-type: application/problem+json");
      assertThat(answer).as(path).contains("not valid percent-encoded text");
    }
    assertNoErrorLogged();
  }

  /** A GET of {@code path} written byte for byte (an HTTP client refuses such paths). */
  private static String rawGet(String path) throws IOException {
    try (Socket socket = new Socket(HOST, app.httpPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  // --- bodies of the wrong type

  @Test
  void aFormBodyIs415OnEveryRouteThatTakesABodyWithoutAStackTrace() throws Exception {
    String multipart =
        "--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n"
            + "x".repeat(20_000)
            + "\r\n--b--\r\n";
    for (String path :
        List.of(
            "/v1/conversations/c/messages",
            "/v1/chat",
            "/v1/memories",
            "/v1/transcriptions",
            "/admin/tenants")) {
      for (String auth : new String[] {null, path.startsWith("/admin") ? ADMIN : key}) {
        HttpResponse<String> answer =
            post(auth, path, "multipart/form-data; boundary=b", multipart);
        assertProblem(answer, 415);
        HttpResponse<String> form =
            post(auth, path, "application/x-www-form-urlencoded", "content=" + "x".repeat(20_000));
        assertProblem(form, 415);
      }
    }
    assertNothingWritten();
    assertNoErrorLogged();
  }

  @Test
  void aMalformedChunkOrAClientGoneMidBodyIsNoServerErrorNorLoggedAsOne() throws Exception {
    // not HTTP: Vert.x closes the connection (there is no answer to read)
    RawHttp.Response badChunk =
        RawHttp.send(
            HOST,
            app.httpPort(),
            "POST /v1/conversations/chunks/messages HTTP/1.1\r\nHost: "
                + HOST
                + "\r\nAuthorization: Bearer "
                + key
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
                + "\r\nConnection: close\r\n\r\nZZ\r\n{}");
    assertThat(badChunk.status()).isEqualTo(-1);

    // promises 100 bytes, sends 2, and goes
    try (Socket socket = new Socket(HOST, app.httpPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /v1/conversations/gone/messages HTTP/1.1\r\nHost: "
                      + HOST
                      + "\r\nAuthorization: Bearer "
                      + key
                      + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}")
                  .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    }
    // a later request on another connection is answered, and nothing was logged as a failure
    assertThat(send("GET", "/health/live", null, null, null).statusCode()).isEqualTo(200);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(RequestEdgesIT::assertNoErrorLogged);
    assertNothingWritten();
  }

  @Test
  void aHeaderThatNamesOneThingGivenTwiceIs400AndA401ChallengesForABearerToken() throws Exception {
    // two keys: a proxy may check one and the service act on the other
    HttpResponse<String> twoKeys =
        http.send(
            HttpRequest.newBuilder(uri("/v1/conversations/two/messages"))
                .header("Authorization", "Bearer " + key)
                .header("Authorization", "Bearer soma_another-tenants-key")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertProblem(twoKeys, 400);
    assertThat(detail(twoKeys)).contains("'Authorization'");
    HttpResponse<String> twoOperators =
        http.send(
            HttpRequest.newBuilder(uri("/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("X-Operator", "ann")
                .header("X-Operator", "bob")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"edges-three\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertProblem(twoOperators, 400);
    assertThat(detail(twoOperators)).contains("'X-Operator'");

    // a UTF-8 name in a header (read as ISO-8859-1, it would be audited as "hÃ©llo")
    String utf8AsSent =
        new String("h\u00e9llo".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    RawHttp.Response garbled =
        RawHttp.send(
            HOST,
            app.httpPort(),
            "POST /admin/tenants HTTP/1.1\r\nHost: "
                + HOST
                + "\r\nAuthorization: Bearer "
                + ADMIN
                + "\r\nX-Operator: "
                + utf8AsSent
                + "\r\nContent-Type: application/json\r\nContent-Length: 19"
                + "\r\nConnection: close\r\n\r\n{\"id\":\"edges-four\"}");
    assertRawProblem(garbled, 400);
    assertThat(new JsonObject(garbled.body()).getString("detail")).contains("printable ASCII");
    HttpResponse<String> newline =
        http.send(
            HttpRequest.newBuilder(uri("/admin/tenants"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"edges-five\",\"operator\":\"a\\nb\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertProblem(newline, 400);
    assertThat(detail(newline)).contains("control character");
    for (String body :
        List.of(
            "{\"id\":\"edges-six\",\"name\":\"N\\u001b[31m\"}",
            "{\"id\":\"edges-six\",\"name\":\"two\\nlines\"}")) {
      HttpResponse<String> named = admin("POST", "/admin/tenants", body);
      assertProblem(named, 400);
      assertThat(detail(named)).isEqualTo("'name' must not contain a control character");
    }
    HttpResponse<String> label = admin("POST", "/admin/tenants/edges/keys", "{\"label\":\"L\\n\"}");
    assertProblem(label, 400);
    assertThat(detail(label)).isEqualTo("'label' must not contain a control character");
    assertNothingWritten();

    HttpResponse<String> unauthorized =
        post(null, "/v1/conversations/two/messages", "application/json", "{}");
    assertProblem(unauthorized, 401);
    assertThat(unauthorized.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
  }

  @Test
  void aQueryParameterARouteDoesNotTakeIs400NotIgnored() throws Exception {
    // ?namespace= would look like a setting the route read from the body instead
    String[][] calls = {
      {"/v1/memories?namespace=ns2", "application/json", "{\"key\":\"q\",\"value\":{}}"},
      {"/v1/memories/recall?namespace=ns2", "application/json", "{\"query\":\"q\"}"},
      {"/v1/conversations/q/messages?role=system", "application/json", "{\"content\":\"x\"}"},
      {"/v1/transcriptions?lang=en", "audio/wav", "RIFF"},
    };
    for (String[] call : calls) {
      HttpResponse<String> answer = post(key, call[0], call[1], call[2]);
      assertProblem(answer, 400);
      assertThat(detail(answer)).as(call[0]).startsWith("unknown query parameter");
    }
    HttpResponse<String> upload =
        send("PUT", "/v1/uploads/q.txt?x=1", "Bearer " + key, "text/plain", "hello");
    assertProblem(upload, 400);
    assertNothingWritten();
  }

  @Test
  void anUploadLargerThanAnEventBusMessageIsReadBackWhole() throws Exception {
    byte[] large = new byte[1536 * 1024]; // over storage.maxInlineBytes (1 MiB)
    new java.util.Random(11).nextBytes(large);
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(uri("/v1/uploads/large.bin"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(large))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

    HttpResponse<byte[]> got =
        http.send(
            HttpRequest.newBuilder(uri("/v1/uploads/large.bin"))
                .header("Authorization", "Bearer " + key)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(got.body()).isEqualTo(large);
    // sent from a spool file, which goes once it is sent
    java.nio.file.Path incoming = dataDir.resolve("upload-spool/incoming");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              try (var files = java.nio.file.Files.list(incoming)) {
                assertThat(files).isEmpty();
              }
            });
  }

  @Test
  void anUploadTakesRawBytesOnlyAndAMultipartOneIs415() throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(uri("/v1/uploads/notes.txt"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "multipart/form-data; boundary=b")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
                            + "hello\r\n--b--\r\n"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertProblem(answer, 415);
    assertThat(detail(answer)).contains("raw bytes");
    assertNoErrorLogged();
  }

  @Test
  void jsonSentAsAnotherTypeOrWithoutATypeIs415() throws Exception {
    String body = "{\"content\":\"hello\"}";
    for (String type :
        List.of("text/plain", "application/xml", "text/json", "application/json-patch+json")) {
      HttpResponse<String> answer = post(key, "/v1/conversations/t/messages", type, body);
      assertProblem(answer, 415);
      assertThat(detail(answer)).contains("application/json");
    }
    assertProblem(post(key, "/v1/conversations/t/messages", null, body), 415);
    assertProblem(post(null, "/admin/tenants", "text/plain", "{\"id\":\"plain\"}"), 415);
    assertNothingWritten();
    // JSON is UTF-8: another charset would be decoded wrongly, so it is refused, not misread
    for (String type :
        List.of("application/json; charset=latin1", "application/json;charset=\"UTF-16\"")) {
      HttpResponse<String> answer = post(key, "/v1/conversations/t/messages", type, body);
      assertProblem(answer, 415);
      assertThat(detail(answer)).contains("UTF-8");
    }
    assertNothingWritten();
    // JSON with a charset is JSON (a +json type names another format, such as a JSON Patch)
    assertThat(
            post(key, "/v1/conversations/t/messages", "application/json; charset=utf-8", body)
                .statusCode())
        .isEqualTo(202);
    assertThat(
            post(key, "/v1/conversations/t/messages", "application/json; charset=\"UTF-8\"", body)
                .statusCode())
        .isEqualTo(202);
  }

  // --- HTTP conventions

  @Test
  void headIsServedWhereGetIsWithItsHeadersAndNoBody() throws Exception {
    for (String path : List.of("/health/live", "/health/ready", "/metrics", "/v1/status")) {
      HttpResponse<String> get = send("GET", path, "Bearer " + key, null, null);
      HttpResponse<String> head = send("HEAD", path, "Bearer " + key, null, null);
      assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValue("Content-Type"))
          .as(path)
          .isEqualTo(get.headers().firstValue("Content-Type"));
      // by hand, read to the connection's end: a body the server wrote would be here
      RawHttp.Response raw =
          RawHttp.send(
              HOST,
              app.httpPort(),
              "HEAD " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nAuthorization: Bearer " + key);
      assertThat(raw.status()).as(path).isEqualTo(200);
      assertThat(raw.body()).as(path).isEmpty();
    }
    // an absolute-form target, which proxies send, is served as its GET would be
    RawHttp.Response absolute =
        RawHttp.send(
            HOST,
            app.httpPort(),
            "HEAD http://"
                + HOST
                + ":"
                + app.httpPort()
                + "/health/live?x=1 HTTP/1.1\r\nHost: "
                + HOST);
    assertThat(absolute.status()).isEqualTo(200);
    assertThat(absolute.body()).isEmpty();
    // no HEAD where a GET would do more than answer: the WebSocket, an upload's download
    for (var refusal : Map.of("/v1/ws", "GET", "/v1/uploads/x", "GET, PUT").entrySet()) {
      HttpResponse<String> refused = send("HEAD", refusal.getKey(), "Bearer " + key, null, null);
      assertThat(refused.statusCode()).as(refusal.getKey()).isEqualTo(405);
      assertThat(refused.headers().firstValue("Allow"))
          .as(refusal.getKey())
          .hasValue(refusal.getValue());
    }
    HttpResponse<String> admin = send("HEAD", "/admin/tenants", "Bearer " + ADMIN, null, null);
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(send("HEAD", "/admin/tenants", null, null, null).statusCode()).isEqualTo(401);
    // HEAD where only POST is served: 405, as any other method
    HttpResponse<String> post = send("HEAD", "/v1/chat", "Bearer " + key, null, null);
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("POST");
    assertNoErrorLogged();
  }

  @Test
  void aWrongMethodOnAKnownPathIs405WithAllow() throws Exception {
    HttpResponse<String> delete =
        send("DELETE", "/v1/conversations/c/messages", "Bearer " + key, null, null);
    assertProblem(delete, 405);
    assertThat(delete.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
    HttpResponse<String> put = send("PUT", "/admin/tenants", "Bearer " + ADMIN, null, null);
    assertProblem(put, 405);
    assertThat(put.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");
    HttpResponse<String> metrics = send("POST", "/metrics", null, null, null);
    assertProblem(metrics, 405);
    assertThat(metrics.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertProblem(send("GET", "/v1/nowhere", "Bearer " + key, null, null), 404);
  }

  @Test
  void aBadTenantIdIs400NotAConflict() throws Exception {
    for (String id : List.of("Upper", "-dash", "has space", "x".repeat(64))) {
      HttpResponse<String> answer = admin("POST", "/admin/tenants", "{\"id\":\"" + id + "\"}");
      assertProblem(answer, 400);
      assertThat(detail(answer)).contains("'id'");
    }
    assertProblem(admin("POST", "/admin/tenants", "{\"id\":\"edges\"}"), 409);
  }

  @Test
  void aLimitThatIsNotAWholeNumberInRangeIs400() throws Exception {
    post(key, "/v1/conversations/lim/messages", "application/json", "{\"content\":\"1\"}");
    post(key, "/v1/conversations/lim/messages", "application/json", "{\"content\":\"2\"}");
    for (String limit : List.of("-5", "0", "abc", "1001", "2.5")) {
      assertProblem(
          send("GET", "/v1/conversations/lim/messages?limit=" + limit, "Bearer " + key, null, null),
          400);
    }
    assertProblem(admin("GET", "/admin/dead-letters?limit=-5", null), 400);
    assertProblem(admin("GET", "/admin/dead-letters?limit=501", null), 400);
    HttpResponse<String> one =
        send("GET", "/v1/conversations/lim/messages?limit=1", "Bearer " + key, null, null);
    assertThat(new JsonObject(one.body()).getJsonArray("messages")).hasSize(1);
    assertThat(admin("GET", "/admin/dead-letters?limit=10", null).statusCode()).isEqualTo(200);
  }

  @Test
  void aTranscriptionWithoutAudioOrWithABadLanguageIs400() throws Exception {
    HttpResponse<String> empty = post(key, "/v1/transcriptions", "audio/wav", "");
    assertProblem(empty, 400);
    assertThat(detail(empty)).contains("audio");
    for (String language : List.of("english", "EN", "en_US", "e", "en-", "x%00")) {
      HttpResponse<String> answer =
          post(key, "/v1/transcriptions?language=" + language, "audio/wav", "RIFF....WAVE");
      assertProblem(answer, 400);
    }
    assertThat(detail(post(key, "/v1/transcriptions?language=klingon", "audio/wav", "RIFF")))
        .contains("'language'");
  }

  @Test
  void aTranscriptionWhoseBodyIsNotAudioIs415() throws Exception {
    for (String type : new String[] {"application/json", "text/plain", null}) {
      HttpResponse<String> answer = post(key, "/v1/transcriptions", type, "{\"audio\":\"x\"}");
      assertProblem(answer, 415);
      assertThat(detail(answer)).contains("audio/wav");
    }
    // the types the STT chain takes get past the check (here to the language's 400)
    for (String type : new String[] {"audio/ogg", "video/webm", "application/octet-stream"}) {
      assertProblem(post(key, "/v1/transcriptions?language=xx_YY", type, "RIFF"), 400);
    }
    // a type is a type in any case, here and in the STT request alike (no STT provider here:
    // the browser/native fallback answers)
    HttpResponse<String> upper = post(key, "/v1/transcriptions", "Audio/WAV", "RIFF");
    assertThat(upper.statusCode()).as(upper.body()).isEqualTo(200);
    assertNoErrorLogged();
  }

  @Test
  void theListenerBindsTheConfiguredAddressOnly() {
    assertThatThrownBy(() -> new Socket("127.0.0.1", app.httpPort()).close())
        .isInstanceOf(ConnectException.class);
  }

  // --- WebSocket handshakes

  @Test
  void theWebSocketWithoutUpgradeIs426ProblemJson() throws Exception {
    HttpResponse<String> answer = send("GET", "/v1/ws", "Bearer " + key, null, null);

    assertProblem(answer, 426);
    assertThat(answer.headers().firstValue("Upgrade")).hasValue("websocket");
    assertNoErrorLogged();
  }

  @Test
  void aBrokenWebSocketHandshakeIsProblemJson() throws Exception {
    String upgrade =
        "GET /v1/ws HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + key
            + "\r\nUpgrade: websocket\r\n";
    RawHttp.Response noConnection =
        RawHttp.send(
            HOST,
            app.httpPort(),
            upgrade + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    assertRawProblem(noConnection, 400);
    RawHttp.Response oldVersion =
        RawHttp.send(
            HOST,
            app.httpPort(),
            upgrade
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
    assertRawProblem(oldVersion, 426);
    assertThat(oldVersion.header("Sec-WebSocket-Version")).isEqualTo("13");
    RawHttp.Response noKey =
        RawHttp.send(
            HOST, app.httpPort(), upgrade + "Connection: Upgrade\r\nSec-WebSocket-Version: 13");
    assertRawProblem(noKey, 400);
    assertNoErrorLogged();
  }

  // --- errors below the router

  @Test
  void errorsOfTheHttpDecoderAreProblemJsonToo() throws Exception {
    assertRawProblem(
        RawHttp.send(
            HOST, app.httpPort(), "GET /v1/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x"),
        414);
    assertRawProblem(
        RawHttp.send(
            HOST,
            app.httpPort(),
            "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000)),
        431);
    assertRawProblem(
        RawHttp.send(
            HOST, app.httpPort(), "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0001b"),
        400);
    assertRawProblem(
        RawHttp.send(HOST, app.httpPort(), "GET /health/live HTTP/1.1\r\nHost: x\r\nNo colon here"),
        400);
  }

  // --- helpers

  /** The status the server closes {@code socket} with, once it does. */
  private static java.util.concurrent.CompletableFuture<Short> closeStatus(
      io.vertx.core.http.ClientWebSocket socket) {
    var closed = new java.util.concurrent.CompletableFuture<Short>();
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    return closed;
  }

  /** Connects {@code socket} to {@code /v1/ws} with the tenant's key. */
  private static void connect(io.vertx.core.http.ClientWebSocket socket) throws Exception {
    Blocking.await(
        socket.connect(
            new io.vertx.core.http.WebSocketConnectOptions()
                .setHost(HOST)
                .setPort(app.httpPort())
                .setURI("/v1/ws")
                .addHeader("Authorization", "Bearer " + key)),
        Duration.ofSeconds(10));
  }

  private static void assertNothingWritten() throws Exception {
    assertThat(
            count(
                "SELECT count(*) FROM conversation_messages WHERE conversation_id <> 's'"
                    + " AND conversation_id <> 't' AND conversation_id <> 'lim'"))
        .isZero();
    assertThat(count("SELECT count(*) FROM tool_executions")).isZero();
    assertThat(count("SELECT count(*) FROM pending_memories")).isZero();
    assertThat(count("SELECT count(*) FROM tenants")).isEqualTo(1);
  }

  private static void assertNoErrorLogged() {
    assertThat(log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)))
        .as("ERROR lines logged")
        .isEmpty();
  }

  private static void assertProblem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
  }

  private static void assertRawProblem(RawHttp.Response response, int status) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("detail")).isNotBlank();
  }

  private static String detail(HttpResponse<String> response) {
    return new JsonObject(response.body()).getString("detail");
  }

  /** {@code {"content":"<bytes>"}}, the bytes as they are. */
  private static byte[] content(byte... bytes) {
    byte[] head = "{\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    byte[] body = java.util.Arrays.copyOf(head, head.length + bytes.length + 2);
    System.arraycopy(bytes, 0, body, head.length, bytes.length);
    body[body.length - 2] = '"';
    body[body.length - 1] = '}';
    return body;
  }

  private static HttpResponse<String> admin(String method, String path, String body)
      throws Exception {
    return send(method, path, "Bearer " + ADMIN, body == null ? null : "application/json", body);
  }

  private static HttpResponse<String> post(String key, String path, String type, String body) {
    return send("POST", path, key == null ? null : "Bearer " + key, type, body);
  }

  private static HttpResponse<String> send(
      String method, String path, String authorization, String type, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (("Bearer " + ADMIN).equals(authorization)) {
      request.header("X-Operator", "edges-it"); // every admin change names who acts
    }
    if (type != null) {
      request.header("Content-Type", type);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(String sql) throws Exception {
    return Blocking.await(
        app.pool().query(sql).execute().map(rows -> rows.iterator().next().getLong(0)),
        Duration.ofSeconds(10));
  }

  private static URI uri(String path) {
    return URI.create("http://" + HOST + ":" + app.httpPort() + path);
  }
}
