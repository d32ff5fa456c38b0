package dev.soma.resilience.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

class GrpcHealthProbeTest {

  @Test
  void framesAMessageWithFlagAndBigEndianLength() {
    Buffer framed = GrpcHealthProbe.frame(Buffer.buffer(new byte[] {0x0a, 0x00}));

    assertThat(framed.getBytes()).containsExactly(0, 0, 0, 0, 2, 0x0a, 0x00);
  }

  @Test
  void readsTheServingStatusOfAHealthCheckResponse() {
    assertThat(
            GrpcHealthProbe.servingStatus(
                GrpcHealthProbe.frame(Buffer.buffer(new byte[] {0x08, 0x01}))))
        .isEqualTo(1);
    assertThat(
            GrpcHealthProbe.servingStatus(
                GrpcHealthProbe.frame(Buffer.buffer(new byte[] {0x08, 0x02}))))
        .isEqualTo(2);
  }

  @Test
  void anEmptyResponseMeansUnknownAndGarbageIsRejected() {
    assertThat(GrpcHealthProbe.servingStatus(GrpcHealthProbe.frame(Buffer.buffer()))).isZero();
    assertThat(GrpcHealthProbe.servingStatus(Buffer.buffer("<html>"))).isEqualTo(-1);
  }
}
