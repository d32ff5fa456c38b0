package dev.soma.resilience.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soma.resilience.common.http.Problem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

  @Test
  void plainJsonIsDecodedAsVertxWould() {
    assertThat(decode("{\"a\":{\"b\":[1,{\"c\":true}]}}"))
        .isEqualTo(new JsonObject("{\"a\":{\"b\":[1,{\"c\":true}]}}"));
    assertThat(decode("[1,2]")).isEqualTo(new JsonArray("[1,2]"));
  }

  @Test
  void aNameTwiceInOneObjectIsRefusedAtAnyDepthNamingIt() {
    assertRefused("{\"a\":1,\"a\":2}", "the field 'a' is given twice in one object");
    assertRefused(
        "{\"x\":{\"y\":[{\"z\":1,\"z\":1}]}}", "the field 'z' is given twice in one object");
    assertRefused("[{\"k\":1,\"k\":2}]", "the field 'k' is given twice in one object");
  }

  @Test
  void theSameNameInDifferentObjectsIsFine() {
    assertThat(decode("[{\"a\":1},{\"a\":2}]")).isInstanceOf(JsonArray.class);
    assertThat(decode("{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}")).isInstanceOf(JsonObject.class);
  }

  @Test
  void commentsAndOtherLeniencesAreNotJson() {
    for (String text :
        new String[] {
          "{/* c */\"a\":1}", "{\"a\":1} // c", "{'a':1}", "{a:1}", "{\"a\":1}x", "{\"a\":1,}"
        }) {
      assertRefused(text, "the body is not valid JSON");
    }
  }

  @Test
  void aNameWithARefusedCharacterIsDescribedNotQuoted() {
    assertRefused(
        "{\"a\\u0000\":1,\"a\\u0000\":2}",
        "the field '(a name with a character refused)' is given twice in one object");
  }

  private static Object decode(String text) {
    return StrictJson.decode(Buffer.buffer(text));
  }

  private static void assertRefused(String text, String detail) {
    assertThatThrownBy(() -> decode(text))
        .as(text)
        .isInstanceOfSatisfying(
            Problem.class,
            p -> {
              assertThat(p.status()).isEqualTo(400);
              assertThat(p.getMessage()).isEqualTo(detail);
            });
  }
}
