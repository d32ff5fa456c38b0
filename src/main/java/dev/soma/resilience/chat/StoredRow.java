package dev.soma.resilience.chat;

import dev.soma.resilience.outbox.OutboxEntry;
import java.util.List;

/**
 * A row {@link Conversations} stores with its event, one statement for a whole list: its values in
 * the order of its insert's columns, the key its insert returns when it stored the row (in the
 * order of the insert's {@code RETURNING}), and its event and that event's key.
 */
interface StoredRow {

  /** Its values, in the order of its insert's parameter arrays. */
  List<String> columns();

  /** Its key, as its insert returns it for a stored row. */
  List<String> key();

  /** Its event's dedupe key: what makes a second store of the row a duplicate. */
  String eventKey();

  /** Its event, enqueued with it. */
  OutboxEntry event();
}
