/**
 * Failures injected into onTaskCompleted from outside its code, and the order
 * in which it really consumed events: a test-owned trigger on
 * processed_events, the row that the consumer's transaction inserts first.
 *
 * A task titled `… slot<k>-fail<n>` makes its task.completed fail the first n
 * attempts: the trigger raises, the consumer's transaction rolls back, Dapr
 * retries. The attempt count must survive that rollback, so it is a sequence
 * per slot (nextval is not transactional). Every attempt that gets through
 * records (consumer, event id, user) in fault_consumed, whose serial is the
 * order of consumption.
 */
import type { Probe } from "./probe.js";

export const CONSUMER = "on-task-completed";

export function failingTitle(title: string, slot: number, failures: number): string {
  return `${title} slot${slot}-fail${failures}`;
}

export async function injectConsumerFailures(db: Probe, slots: number): Promise<void> {
  const sequences = Array.from({ length: slots }, (_, slot) => `CREATE SEQUENCE fault_slot_${slot};`).join("\n");
  await db.query(`
    CREATE TABLE fault_consumed (seq bigserial PRIMARY KEY, event_id text NOT NULL, user_id text NOT NULL);
    ${sequences}
    CREATE FUNCTION fault_inject() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      event record;
      plan text[];
      attempt bigint;
    BEGIN
      SELECT partition_key, cloud_event->'data'->>'title' AS title INTO event FROM outbox_events WHERE id = NEW.event_id::uuid;
      plan := regexp_match(coalesce(event.title, ''), 'slot(\\d+)-fail(\\d+)');
      IF plan IS NOT NULL THEN
        attempt := nextval(format('fault_slot_%s', plan[1]));
        IF attempt <= plan[2]::int THEN
          RAISE EXCEPTION 'fault injected by the test: attempt % of event % fails', attempt, NEW.event_id;
        END IF;
      END IF;
      INSERT INTO fault_consumed (event_id, user_id) VALUES (NEW.event_id, coalesce(event.partition_key, '?'));
      RETURN NEW;
    END $$;
    CREATE TRIGGER fault_inject BEFORE INSERT ON processed_events
      FOR EACH ROW WHEN (NEW.consumer = '${CONSUMER}') EXECUTE FUNCTION fault_inject();
  `);
}

/** Attempts the trigger let through per event id, first one first. */
export async function consumption(db: Probe): Promise<{ eventId: string; userId: string }[]> {
  const rows = await db.query<{ event_id: string; user_id: string }>("SELECT event_id, user_id FROM fault_consumed ORDER BY seq");
  return rows.map((row) => ({ eventId: row.event_id, userId: row.user_id }));
}

/** How many attempts each slot has seen (its sequence's last value). */
export async function slotAttempts(db: Probe, slots: number): Promise<number[]> {
  const union = Array.from(
    { length: slots },
    (_, slot) => `SELECT ${slot} AS slot, CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM fault_slot_${slot}`,
  ).join(" UNION ALL ");
  const rows = await db.query<{ slot: number; n: string }>(`${union} ORDER BY slot`);
  return rows.map((row) => Number(row.n));
}
