package dev.soma.resilience.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a journal task hands its outcome back to the context that asked. */
class JournalTaskTest {

  @Test
  void aTaskAskedOnAContextWhoseVertxIsClosedMeanwhileStillCompletes() throws Exception {
    // as appends in flight when the service closes Vert.x before the journal
    Vertx vertx = Vertx.vertx();
    Context context = vertx.getOrCreateContext();
    CompletableFuture<JournalTask.Call<String>> asked = new CompletableFuture<>();
    context.runOnContext(v -> asked.complete(new JournalTask.Call<>(() -> "written")));
    JournalTask.Call<String> task = asked.get(5, TimeUnit.SECONDS);
    Blocking.await(vertx.close(), Duration.ofSeconds(10));

    task.run(); // on the journal's thread: it must not throw, or the thread dies

    assertThat(task.future().succeeded()).isTrue();
    assertThat(task.future().result()).isEqualTo("written");
  }
}
