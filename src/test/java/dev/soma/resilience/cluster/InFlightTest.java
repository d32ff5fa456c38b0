package dev.soma.resilience.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests whose handler goes silent, on an in-process event bus: one handler takes requests and
 * never answers nor beats (as a node that died with the request), the other beats and answers.
 */
class InFlightTest {

  private static final String ADDRESS = "in-flight.test";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger swallowed = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    // registered first: Vert.x's round robin gives it the first request
    Blocking.await(
        vertx.eventBus().consumer(ADDRESS, message -> swallowed.incrementAndGet()).completion(),
        TIMEOUT);
    Blocking.await(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                ADDRESS,
                message -> {
                  Runnable done = InFlight.beat(vertx, message);
                  answered.incrementAndGet();
                  vertx.setTimer(
                      1_500,
                      id -> {
                        done.run();
                        message.reply(new JsonObject().put("from", "the living"));
                      });
                })
            .completion(),
        TIMEOUT);
  }

  @AfterEach
  void tearDown() throws Exception {
    Blocking.await(vertx.close(), TIMEOUT);
  }

  @Test
  void aRequestWhoseHandlerGoesSilentIsSentAgainAndAnsweredByAnother() throws Exception {
    JsonObject reply =
        Blocking.await(
                InFlight.<JsonObject>request(
                    vertx,
                    ADDRESS,
                    new JsonObject(),
                    new DeliveryOptions().setSendTimeout(15_000),
                    Duration.ofSeconds(15)),
                TIMEOUT)
            .body();

    assertThat(reply.getString("from")).isEqualTo("the living");
    assertThat(swallowed).hasValue(1);
    // beating for 1.5 s while it worked: a slow answer is not a silent handler
    assertThat(answered).hasValue(1);
  }

  @Test
  void withNoTimeLeftToAskAgainTheRequestFailsSayingTheHandlerWasLost() {
    assertThatThrownBy(
            () ->
                Blocking.await(
                    InFlight.request(
                        vertx,
                        ADDRESS,
                        new JsonObject(),
                        new DeliveryOptions().setSendTimeout(15_000),
                        InFlight.SILENCE.plusSeconds(2)),
                    TIMEOUT))
        .isInstanceOf(InFlight.HandlerLost.class)
        .hasMessage("the node answering in-flight.test stopped answering");
    assertThat(answered).hasValue(0);
  }
}
