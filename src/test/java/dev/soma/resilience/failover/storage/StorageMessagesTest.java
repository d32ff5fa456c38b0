package dev.soma.resilience.failover.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class StorageMessagesTest {

  @Test
  void keysThatCouldEscapeTheTenantsNamespaceAreRefused() {
    assertThat(new ObjectKey("acme", "docs/2026/a.pdf").path()).isEqualTo("acme/docs/2026/a.pdf");
    for (String bad : new String[] {"../x", "a/../b", "/abs", "a//b", "a/./b", "sp ace", ""}) {
      assertThatThrownBy(() -> new ObjectKey("acme", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key must");
    }
    assertThatThrownBy(() -> new ObjectKey("../acme", "a"))
        .hasMessageStartingWith("tenantId must match");
  }

  @Test
  void anUploadCarriesExactlyOneOfInlineBytesAndASpoolReference() {
    ObjectKey key = new ObjectKey("acme", "a");
    assertThatThrownBy(() -> new StoreRequest(key, null, null, null, null, null))
        .hasMessage("exactly one of data and spoolRef must be set");
    assertThatThrownBy(
            () ->
                new StoreRequest(
                    key, null, null, null, new byte[1], "00000000-0000-0000-0000-000000000000"))
        .hasMessage("exactly one of data and spoolRef must be set");
    assertThatThrownBy(() -> new StoreRequest(key, null, null, null, null, "../../etc/passwd"))
        .hasMessageStartingWith("spoolRef is not a spool reference");
  }

  @Test
  void requestsAndRepliesSurviveTheirJsonForm() {
    StoreRequest request =
        new StoreRequest(
            new ObjectKey("acme", "a.txt"), "r-1", "u-1", "text/plain", new byte[] {1, 2, 3}, null);
    StoreRequest back = StoreRequest.fromJson(request.toJson());
    assertThat(back.data()).containsExactly(1, 2, 3);
    assertThat(back.key()).isEqualTo(request.key());
    assertThat(back.uploadId()).isEqualTo("u-1");

    StoreReply queued = StoreReply.queued("u-1", request.key());
    assertThat(StoreReply.fromJson(queued.toJson())).isEqualTo(queued);
    assertThat(queued.message()).isEqualTo("upload queued");
    StoreReply temporary =
        StoreReply.stored("redis", "u-2", request.key(), Instant.parse("2026-11-23T00:00:00Z"));
    assertThat(StoreReply.fromJson(temporary.toJson())).isEqualTo(temporary);
  }
}
