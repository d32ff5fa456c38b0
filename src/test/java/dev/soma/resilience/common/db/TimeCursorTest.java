package dev.soma.resilience.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cursor of the lists ordered by creation time and a text id. */
class TimeCursorTest {

  @Test
  void aCursorComesBackAsItWasToTheMicrosecondWithAnIdHoldingColons() {
    TimeCursor cursor =
        new TimeCursor(OffsetDateTime.parse("2026-12-07T10:11:12.123456Z"), "conv:c1:m:7");

    assertThat(TimeCursor.parse(cursor.encode())).isEqualTo(cursor);
    assertThat(TimeCursor.parse(null)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "t:-9223372036854775808:x", // 290,000 BC: no timestamptz holds it (a 500 from PostgreSQL)
        "t:9223372036854775807:x",
        "t:abc:x",
        "t::x",
        "id:5",
        "t:5"
      })
  void aCursorThisClassCouldNotHaveMadeIsRefused(String decoded) {
    String text =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(decoded.getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> TimeCursor.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'cursor' is not a cursor this list returned");
  }

  @Test
  void textThatIsNotBase64IsRefused() {
    assertThatThrownBy(() -> TimeCursor.parse("%%%")).isInstanceOf(IllegalArgumentException.class);
  }
}
