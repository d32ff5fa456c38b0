package dev.soma.resilience.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FilterOptionsTest {

  @Test
  void aFieldNamedInAMessageBecomesItsOption() {
    assertThat(FilterOptions.asOptions("'errorClass' must be 1 to 512 characters, not blank"))
        .isEqualTo("--error-class must be 1 to 512 characters, not blank");
    assertThat(FilterOptions.asOptions("'from' must be before 'to'"))
        .isEqualTo("--from must be before --to");
  }

  @Test
  void aQuotedValueStaysAsGiven() {
    assertThat(FilterOptions.asOptions("'source' must be outbox or memory, but was 'bogus'"))
        .isEqualTo("--source must be outbox or memory, but was 'bogus'");
  }
}
