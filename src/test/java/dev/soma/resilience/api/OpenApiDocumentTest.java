package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract test's reading of docs/openapi.yaml finds each kind of difference it promises. */
class OpenApiDocumentTest {

  private static final String KEYS = "/admin/tenants/t-1/keys";
  private static final String KEY =
      "{\"keyId\":\"k\",\"tenantId\":\"t-1\",\"apiKey\":\"soma_k_s\"}";
  private static Vertx vertx;
  private static OpenApiDocument document;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    document = OpenApiDocument.load(vertx);
  }

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  void aResponseAsDocumentedConforms() {
    assertThat(document.responseViolations("POST", KEYS, 201, "application/json", KEY)).isEmpty();
  }

  @Test
  void aFieldTheDocumentDoesNotNameIsADifference() {
    String extra = KEY.replace("}", ",\"secret\":\"x\"}");

    assertThat(document.responseViolations("POST", KEYS, 201, "application/json", extra))
        .singleElement()
        .asString()
        .contains("secret");
  }

  @Test
  void aMissingRequiredFieldIsADifference() {
    String missing = "{\"keyId\":\"k\",\"tenantId\":\"t-1\"}";

    assertThat(document.responseViolations("POST", KEYS, 201, "application/json", missing))
        .isNotEmpty();
  }

  @Test
  void aFieldOfAnotherTypeIsADifference() {
    String wrong = KEY.replace("\"t-1\"", "7");

    assertThat(document.responseViolations("POST", KEYS, 201, "application/json", wrong))
        .isNotEmpty();
  }

  @Test
  void aStatusOrMediaTypeTheOperationDoesNotListIsADifference() {
    assertThat(document.responseViolations("POST", KEYS, 418, "application/json", KEY))
        .singleElement()
        .asString()
        .contains("not listed");
    assertThat(document.responseViolations("POST", KEYS, 201, "text/plain", "hello"))
        .singleElement()
        .asString()
        .contains("text/plain");
  }

  @Test
  void anUndocumentedRouteOrBodyIsADifference() {
    assertThat(document.responseViolations("PATCH", KEYS, 200, null, null)).isNotEmpty();
    assertThat(document.responseViolations("DELETE", "/admin/keys/k", 204, "text/plain", "x"))
        .singleElement()
        .asString()
        .contains("does not describe");
  }

  @Test
  void requestBodiesAreCheckedAgainstTheRequestSchema() {
    OpenApiDocument.Operation post =
        document.find("POST", "/v1/conversations/c-1/messages").orElseThrow();

    assertThat(
            document.requestViolations(
                post, new io.vertx.core.json.JsonObject("{\"content\":\"hi\"}")))
        .isEmpty();
    assertThat(
            document.requestViolations(
                post, new io.vertx.core.json.JsonObject("{\"content\":\"  \"}")))
        .isNotEmpty();
  }
}
