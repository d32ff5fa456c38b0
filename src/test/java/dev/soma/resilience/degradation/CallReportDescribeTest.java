package dev.soma.resilience.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** What the public status says of a failure: its kind, never its message. */
class CallReportDescribeTest {

  @Test
  void aFailureIsDescribedByItsKindNotByItsMessage() {
    assertThat(CallReport.describe(new ConnectException("Connection refused: /10.0.0.7:5432")))
        .isEqualTo("connection refused");
    assertThat(CallReport.describe(new TimeoutException("after 5000 ms to db.internal")))
        .isEqualTo("timed out");
    assertThat(CallReport.describe(new NotDirectoryException("/srv/data/objects/acme/secret")))
        .isEqualTo("NotDirectoryException");
    assertThat(CallReport.describe(new IOException("/srv/data/objects"))).isEqualTo("IOException");
  }
}
