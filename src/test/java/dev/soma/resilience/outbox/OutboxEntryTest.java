package dev.soma.resilience.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OutboxEntryTest {

  private static final JsonObject PAYLOAD = new JsonObject().put("n", 1);
  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aValidEntryKeepsItsFields() {
    OutboxEntry entry =
        OutboxEntry.of("tenant-a", "conv:1:7", "conversation.inbound", "conv-1", PAYLOAD);

    assertThat(entry.tenantId()).isEqualTo("tenant-a");
    assertThat(entry.dedupeKey()).isEqualTo("conv:1:7");
    assertThat(entry.topic()).isEqualTo("conversation.inbound");
    assertThat(entry.partitionKey()).isEqualTo("conv-1");
    assertThat(entry.payload()).isEqualTo(PAYLOAD);
    assertThat(entry.headers()).isEqualTo(new JsonObject());
  }

  @Test
  void anEmptyPartitionKeyMeansNone() {
    assertThat(OutboxEntry.of("t", "k", "topic", "", PAYLOAD).partitionKey()).isNull();
  }

  @Test
  void anEmptyOrBlankTenantIsRejected() {
    assertThatThrownBy(() -> OutboxEntry.of("", "k", "topic", null, PAYLOAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tenantId must not be empty");
    assertThatThrownBy(() -> OutboxEntry.of("  ", "k", "topic", null, PAYLOAD))
        .hasMessage("tenantId must not be empty");
    assertThatThrownBy(() -> OutboxEntry.of(null, "k", "topic", null, PAYLOAD))
        .hasMessage("tenantId must not be empty");
  }

  @Test
  void anEmptyDedupeKeyIsRejected() {
    assertThatThrownBy(() -> OutboxEntry.of("t", "", "topic", null, PAYLOAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dedupeKey must not be empty");
  }

  @Test
  void anEmptyTopicIsRejected() {
    assertThatThrownBy(() -> OutboxEntry.of("t", "k", "", null, PAYLOAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic must not be empty");
  }

  @Test
  void aTopicWithCharactersKafkaRefusesIsRejectedNamingIt() {
    assertThatThrownBy(() -> OutboxEntry.of("t", "k", "orders/eu west", null, PAYLOAD))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic must be 1-249 characters of [a-zA-Z0-9._-], but was 'orders/eu west'");
  }

  @Test
  void topicsKafkaReservesOrCannotStoreAreRejected() {
    assertThatThrownBy(() -> OutboxEntry.of("t", "k", ".", null, PAYLOAD))
        .hasMessageContaining("but was '.'");
    assertThatThrownBy(() -> OutboxEntry.of("t", "k", "..", null, PAYLOAD))
        .hasMessageContaining("but was '..'");
    assertThatThrownBy(() -> OutboxEntry.of("t", "k", "a".repeat(250), null, PAYLOAD))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(OutboxEntry.of("t", "k", "a".repeat(249), null, PAYLOAD).topic()).hasSize(249);
  }

  @Test
  void aMalformedTraceparentIsRejectedShowingIt() {
    assertThatThrownBy(
            () ->
                OutboxEntry.of("t", "k", "topic", null, PAYLOAD)
                    .withTraceparent("00-not-a-trace-01"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "traceparent must be a W3C trace context (version-traceid-parentid-flags),"
                + " but was '00-not-a-trace-01'");
    assertThatThrownBy(
            () ->
                OutboxEntry.of("t", "k", "topic", null, PAYLOAD)
                    .withTraceparent(TRACEPARENT.toUpperCase()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aValidTraceparentIsCarriedAsAHeaderWithoutChangingTheOriginal() {
    OutboxEntry plain = OutboxEntry.of("t", "k", "topic", null, PAYLOAD);

    OutboxEntry traced = plain.withTraceparent(TRACEPARENT);

    assertThat(traced.headers().getString("traceparent")).isEqualTo(TRACEPARENT);
    assertThat(plain.headers().containsKey("traceparent")).isFalse();
  }

  @Test
  void aHeaderWithANonStringValueIsRejectedNamingIt() {
    JsonObject headers = new JsonObject().put("source", "api").put("retries", 3);

    assertThatThrownBy(() -> new OutboxEntry("t", "k", "topic", null, PAYLOAD, headers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'retries' must have a string value");
  }

  @Test
  void aNullHeaderValueIsRejected() {
    JsonObject headers = new JsonObject().putNull("source");

    assertThatThrownBy(() -> new OutboxEntry("t", "k", "topic", null, PAYLOAD, headers))
        .hasMessage("header 'source' must have a string value");
  }
}
