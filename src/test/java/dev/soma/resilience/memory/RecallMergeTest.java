package dev.soma.resilience.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** How recall merges the pending memories with SomaBrain's results. */
class RecallMergeTest {

  private static JsonObject pending(String key, JsonObject content) {
    return new JsonObject()
        .put("key", key)
        .put("content", content)
        .put("source", "pending")
        .put("queuedAt", "2026-11-30T18:26:14Z");
  }

  @Test
  void aMemorySyncedWhileRecallWasAskingIsAnsweredOnceBySomaBrain() {
    JsonArray local =
        new JsonArray()
            .add(pending("k1", new JsonObject().put("content", "locker 4711").put("n", 1)))
            .add(pending("k2", new JsonObject().put("content", "likes jazz")));
    // SomaBrain's copy of k1 as it comes off the wire: other key order, a long, no key
    JsonArray remote =
        new JsonArray(
            "[{\"content\":{\"n\":1,\"content\":\"locker 4711\"},\"layer\":\"wm\",\"score\":0.9}]");

    JsonArray stillPending = MemoryService.notIn(local, remote);
    JsonArray results = MemoryService.merged(stillPending, remote);

    assertThat(stillPending).containsExactly(local.getJsonObject(1));
    assertThat(results).hasSize(2);
    assertThat(results.getJsonObject(0).getString("key")).isEqualTo("k2");
    assertThat(results.getJsonObject(1).getString("source")).isEqualTo("somabrain");
    assertThat(results.getJsonObject(1).getDouble("score")).isEqualTo(0.9);
  }

  @Test
  void differentContentsAreAllKeptPendingFirst() {
    JsonArray local =
        new JsonArray().add(pending("k1", new JsonObject().put("content", "locker 4711")));
    JsonArray remote =
        new JsonArray("[{\"content\":{\"content\":\"locker 4712\"},\"layer\":\"ltm\"}]");

    JsonArray results = MemoryService.merged(MemoryService.notIn(local, remote), remote);

    assertThat(results).hasSize(2);
    assertThat(results.getJsonObject(0).getString("source")).isEqualTo("pending");
    assertThat(results.getJsonObject(1).getString("source")).isEqualTo("somabrain");
    assertThat(remote.getJsonObject(0).containsKey("source")).as("input untouched").isFalse();
  }
}
