package dev.soma.resilience.degradation.internal;

import dev.soma.resilience.cluster.Leadership;
import dev.soma.resilience.degradation.StatusSnapshot;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this node's degradation monitor while this node is the {@link Leadership leader}, so that
 * one monitor is active per cluster: it deploys a fresh monitor when the node becomes the leader
 * (with the leader's new epoch, continuing from the status this node last saw) and undeploys it
 * when another node leads. It looks again on every change of members and every second.
 */
public final class MonitorSeat extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MonitorSeat.class);
  static final long RECHECK_MS = 1000;

  /** Builds a monitor for an epoch, continuing from a snapshot. */
  @FunctionalInterface
  public interface MonitorFactory {
    DegradationMonitor create(long epoch, StatusSnapshot previous);
  }

  private final Leadership leadership;
  private final Supplier<StatusSnapshot> lastSeen;
  private final MonitorFactory monitors;
  private volatile String deployment;
  private boolean changing;
  private volatile boolean stopped;
  private long timer = -1;

  private MonitorSeat(
      Leadership leadership, Supplier<StatusSnapshot> lastSeen, MonitorFactory monitors) {
    this.leadership = leadership;
    this.lastSeen = lastSeen;
    this.monitors = monitors;
  }

  public static MonitorSeat of(
      Leadership leadership, Supplier<StatusSnapshot> lastSeen, MonitorFactory monitors) {
    return new MonitorSeat(leadership, lastSeen, monitors);
  }

  @Override
  public Future<?> start() {
    leadership.onChange(
        () -> {
          if (!stopped) {
            context.runOnContext(v -> reconsider());
          }
        });
    timer = vertx.setPeriodic(RECHECK_MS, id -> reconsider());
    return reconsider();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture(); // the monitor, deployed from here, is undeployed with it
  }

  /** Whether this node's monitor is the active one now. */
  public boolean isActive() {
    return deployment != null;
  }

  private Future<?> reconsider() {
    if (changing || stopped) {
      return Future.succeededFuture();
    }
    boolean leads = leadership.isLeader();
    if (leads && deployment == null) {
      changing = true;
      long epoch = leadership.epoch();
      return vertx
          .deployVerticle(monitors.create(epoch, lastSeen.get()))
          .onSuccess(
              id -> {
                deployment = id;
                LOG.info("this node's degradation monitor is the active one (epoch {})", epoch);
              })
          .onComplete(ar -> changing = false);
    }
    if (!leads && deployment != null) {
      changing = true;
      return vertx
          .undeploy(deployment)
          .onComplete(
              ar -> {
                deployment = null;
                changing = false;
                LOG.info("degradation monitor standing by: {} leads", leadership.leader());
              });
    }
    return Future.succeededFuture();
  }
}
