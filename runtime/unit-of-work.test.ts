import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTask } from "../tasks/task-store.js";
import { countRows, createTestDatabase, type TestDatabase } from "../test/database.js";
import { createRecordingDapr, type RecordingDapr } from "../test/runtime.js";
import { buildCloudEvent, type EventDraft } from "./cloud-event.js";
import { RetryableError } from "./errors.js";
import { finishPublishing, insertOutboxEvents, type OutboxEvent } from "./outbox.js";
import { sql } from "./database.js";
import { contextOnlyTracer } from "./tracing.js";
import { createUnitOfWork, type UnitOfWork } from "./unit-of-work.js";

/** The context of the request doing the work, as an incoming traceparent would give it. */
const TRACE = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "vendor=abc" };

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

function setup(): { uow: UnitOfWork; dapr: RecordingDapr } {
  const dapr = createRecordingDapr();
  return {
    dapr,
    uow: createUnitOfWork({ db: database.db, dapr, pubsub: "pubsub", log: pino({ level: "silent" }), tracer: contextOnlyTracer, source: "/taskfn/test" }),
  };
}
const draft = (subject: string, user = "alice"): EventDraft => ({ topic: "tasks", type: "test.happened", subject, partitionKey: user, data: { subject } });
const outboxRow = (id: string) => database.prisma.outboxEvent.findUnique({ where: { id } });

describe("UnitOfWork.run", () => {
  it("commits the change and its events together, publishes them in emit order, then marks them published", async () => {
    const { uow, dapr } = setup();
    const task = await uow.run(TRACE, async (tx, emit) => {
      const created = await insertTask(tx, "alice", { title: "x", priority: "medium", tags: [], timeZone: "UTC" });
      emit(draft("first"));
      emit(draft("second"));
      return created;
    });
    expect(await database.prisma.task.findUnique({ where: { id: task.id } })).not.toBeNull();
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toEqual(["first", "second"]);
    expect(dapr.published[0]).toMatchObject({
      pubsub: "pubsub",
      topic: "tasks",
      partitionKey: "alice",
      cloudEvent: { source: "/taskfn/test", type: "test.happened" },
    });
    for (const { cloudEvent } of dapr.published) {
      // The row holds exactly what went on the wire: the event, and its trace context beside it.
      const { traceparent, tracestate, traceid, ...event } = cloudEvent as typeof cloudEvent & Record<string, unknown>;
      expect(await outboxRow(cloudEvent.id)).toMatchObject({
        publishedAt: expect.any(Date),
        attempts: 1,
        cloudEvent: JSON.parse(JSON.stringify(event)),
        traceparent,
        tracestate,
      });
      expect(traceid).toBe(traceparent);
    }
  });

  it("stores the work's trace context with each row and publishes it as the CloudEvent's traceparent/tracestate (and Dapr's traceid) and as headers", async () => {
    const { uow, dapr } = setup();
    await uow.run(TRACE, async (_tx, emit) => emit(draft("traced")));
    const [published] = dapr.published;
    expect(published!.cloudEvent).toMatchObject({ traceparent: TRACE.traceparent, tracestate: TRACE.tracestate, traceid: TRACE.traceparent });
    expect(published!.trace).toEqual(TRACE);
    expect(await outboxRow(published!.cloudEvent.id)).toMatchObject(TRACE);
  });

  it("rolls back the change and its events when the work fails: nothing stored, nothing published", async () => {
    const { uow, dapr } = setup();
    const before = await countRows(database.prisma);
    await expect(
      uow.run(TRACE, async (tx, emit) => {
        await insertTask(tx, "alice", { title: "doomed", priority: "medium", tags: [], timeZone: "UTC" });
        emit(draft("doomed"));
        throw new Error("validation after the insert");
      }),
    ).rejects.toThrow("validation after the insert");
    expect(await countRows(database.prisma)).toEqual(before);
    expect(dapr.published).toEqual([]);
  });

  it("still returns the result when the sidecar is down: the events stay in the outbox, unpublished", async () => {
    const { uow, dapr } = setup();
    dapr.down = true;
    const result = await uow.run(TRACE, async (_tx, emit) => {
      emit(draft("kept"));
      return "committed";
    });
    expect(result).toBe("committed");
    const rows = await database.prisma.outboxEvent.findMany({ where: { publishedAt: null } });
    expect(rows.find((r) => (r.cloudEvent as { subject: string }).subject === "kept")).toMatchObject({ publishedAt: null, attempts: 0 });
  });

  it("stops at the first refused event: earlier ones are marked published, later ones wait, in order", async () => {
    const { uow, dapr } = setup();
    dapr.beforePublish = (request) => {
      if ((request.cloudEvent as { subject: string }).subject === "b") throw new RetryableError("refused");
    };
    await uow.run(TRACE, async (_tx, emit) => {
      for (const subject of ["a", "b", "c"]) emit(draft(subject, "refused-user"));
    });
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toEqual(["a"]);
    const rows = await database.prisma.outboxEvent.findMany();
    const bySubject = new Map(rows.map((r) => [(r.cloudEvent as { subject: string }).subject, r]));
    expect(bySubject.get("a")!.publishedAt).not.toBeNull();
    expect(bySubject.get("b")!.publishedAt).toBeNull();
    expect(bySubject.get("c")!.publishedAt).toBeNull();
  });

  it("publishes an event whose key has an older event still waiting only after it: the writer sends the older one first", async () => {
    // Before: the later event went out at once while the earlier one waited for relayOutbox.
    const { uow, dapr } = setup();
    dapr.down = true;
    await uow.run(TRACE, async (_tx, emit) => emit(draft("earlier", "ordered-user")));
    dapr.down = false;
    await uow.run(TRACE, async (_tx, emit) => {
      emit(draft("later", "ordered-user"));
      emit(draft("unrelated", "other-user"));
    });
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toEqual(["unrelated", "earlier", "later"]);
    expect(await database.prisma.outboxEvent.count({ where: { partitionKey: "ordered-user", publishedAt: null } })).toBe(0);
  });

  it("publishes a later writer's event right after the earlier event of its key that was still being published, not at the relay's tick", async () => {
    // Before: the later event waited for relayOutbox (its minimum age, then a tick) whenever two writes of one user overlapped.
    const { uow, dapr } = setup();
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstPublishing = () => {};
    const publishing = new Promise<void>((resolve) => (firstPublishing = resolve));
    dapr.beforePublish = async (request) => {
      if ((request.cloudEvent as { subject: string }).subject !== "first") return;
      firstPublishing();
      await firstHeld;
    };
    const first = uow.run(TRACE, async (_tx, emit) => emit(draft("first", "overlap-user")));
    await publishing;
    // Committed while "first" is not yet published: it may not overtake it, so it waits for it.
    const second = uow.run(TRACE, async (_tx, emit) => emit(draft("second", "overlap-user")));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(dapr.published.map((p) => p.cloudEvent.subject)).toEqual(["first", "second"]);
    const rows = await database.prisma.outboxEvent.findMany({ where: { partitionKey: "overlap-user" }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => [(row.cloudEvent as { subject: string }).subject, row.publishedAt !== null, row.claimedUntil])).toEqual([
      ["first", true, null],
      ["second", true, null],
    ]);
  });

  it("leaves a key whose older event someone else holds (the relay, another writer) to them, without waiting", async () => {
    const { uow, dapr } = setup();
    dapr.down = true;
    await uow.run(TRACE, async (_tx, emit) => emit(draft("stuck", "leased-user")));
    await database.db.execute(sql`UPDATE outbox_events SET claimed_until = now() + interval '1 minute' WHERE partition_key = 'leased-user'`);
    dapr.down = false;
    await uow.run(TRACE, async (_tx, emit) => emit(draft("behind", "leased-user")));
    expect(dapr.published).toEqual([]);
    const waiting = await database.prisma.outboxEvent.findMany({ where: { partitionKey: "leased-user", publishedAt: null }, orderBy: { seq: "asc" } });
    expect(waiting.map((row) => [(row.cloudEvent as { subject: string }).subject, row.claimedUntil === null])).toEqual([
      ["stuck", false],
      ["behind", true],
    ]);
  });

  it("makes writers of one key take turns, so within a key seq order is commit order and the later writer sees the earlier event", async () => {
    const event = (subject: string): OutboxEvent => {
      const cloudEvent = buildCloudEvent(draft(subject, "turns-user"), "/taskfn/test");
      return { id: cloudEvent.id, topic: "tasks", partitionKey: "turns-user", cloudEvent };
    };
    let commitFirst = () => {};
    let firstWrote = () => {};
    const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
    const first = database.db.transaction(async (tx) => {
      await insertOutboxEvents(tx, [event("first")], 30_000);
      firstWrote();
      await new Promise<void>((resolve) => (commitFirst = resolve));
    });
    await wrote;
    let secondDone = false;
    const second = database.db.transaction((tx) => insertOutboxEvents(tx, [event("second")], 30_000)).finally(() => (secondDone = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondDone, "the second writer waits for the first to commit").toBe(false);
    commitFirst();
    await first;
    expect(
      await second,
      "the first event waits unpublished, held by its writer: the second may not go out before it, and is the first's writer's to publish",
    ).toEqual({
      inline: [],
      unheldBefore: false,
    });
    const rows = await database.prisma.outboxEvent.findMany({ where: { partitionKey: "turns-user" }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => (row.cloudEvent as { subject: string }).subject)).toEqual(["first", "second"]);
  });

  it("a writer finishing its publish waits for a writer of the same key still in its transaction, and then sees its event waiting", async () => {
    const event = (subject: string): OutboxEvent => {
      const cloudEvent = buildCloudEvent(draft(subject, "finish-user"), "/taskfn/test");
      return { id: cloudEvent.id, topic: "tasks", partitionKey: "finish-user", cloudEvent };
    };
    // A holds its event (leased, out at the sidecar); B writes behind it and has not committed yet.
    const held = event("held");
    expect(await database.db.transaction((tx) => insertOutboxEvents(tx, [held], 30_000))).toEqual({ inline: [held], unheldBefore: false });
    let commitBehind = () => {};
    let behindWrote = () => {};
    const wrote = new Promise<void>((resolve) => (behindWrote = resolve));
    const behind = database.db.transaction(async (tx) => {
      const inline = await insertOutboxEvents(tx, [event("behind")], 30_000);
      behindWrote();
      await new Promise<void>((resolve) => (commitBehind = resolve));
      return inline;
    });
    await wrote;
    let finished = false;
    const finish = finishPublishing(database.db, { held: [held], published: [held.id] }).finally(() => (finished = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(finished, "A's finish waits for B's commit").toBe(false);
    commitBehind();
    expect(await behind, "B's event waits behind A's, which A holds").toEqual({ inline: [], unheldBefore: false });
    // B leaves its event to A: A must see it, or nobody publishes it before the relay's tick.
    expect(await finish).toEqual({ othersWait: true });
  });

  it("tells a writer to claim only when its key's oldest waiting event is held by nobody, however many wait behind a held one", async () => {
    const event = (subject: string): OutboxEvent => {
      const cloudEvent = buildCloudEvent(draft(subject, "queue-user"), "/taskfn/test");
      return { id: cloudEvent.id, topic: "tasks", partitionKey: "queue-user", cloudEvent };
    };
    const write = (subject: string) => database.db.transaction((tx) => insertOutboxEvents(tx, [event(subject)], 30_000));
    expect(await write("head"), "nothing older: leased to its writer").toMatchObject({ unheldBefore: false });
    expect(await write("second"), "behind the held head: its holder's").toEqual({ inline: [], unheldBefore: false });
    expect(await write("third"), "still behind the held head, though the second waits unleased").toEqual({ inline: [], unheldBefore: false });
    // The head's holder gave up (its publish failed): its lease ended, the queue is nobody's.
    await database.db.execute(sql`UPDATE outbox_events SET claimed_until = NULL WHERE partition_key = 'queue-user'`);
    expect(await write("fourth")).toEqual({ inline: [], unheldBefore: true });
  });

  it("stores a transaction's events in the order they were emitted (seq), keys interleaved: the order the relay would publish them in", async () => {
    const { uow } = setup();
    const subjects = ["a1", "b1", "a2", "a3", "b2", "a4"];
    await uow.run(TRACE, async (_tx, emit) => {
      for (const subject of subjects) emit(draft(subject, `seq-${subject[0]}`));
    });
    const rows = await database.prisma.outboxEvent.findMany({ where: { partitionKey: { in: ["seq-a", "seq-b"] } }, orderBy: { seq: "asc" } });
    expect(rows.map((row) => (row.cloudEvent as { subject: string }).subject)).toEqual(subjects);
  });

  it("writes no outbox row for work that emits nothing", async () => {
    const { uow } = setup();
    const before = await countRows(database.prisma);
    await uow.run(TRACE, async () => "quiet");
    expect(await countRows(database.prisma)).toEqual(before);
  });
});

describe("UnitOfWork.runOnce", () => {
  it("runs the work and records (consumer, event id) with it", async () => {
    const { uow } = setup();
    let runs = 0;
    expect(await uow.runOnce("consumer-a", "event-1", TRACE, async () => void runs++)).toBe("processed");
    expect(runs).toBe(1);
    expect(await database.prisma.processedEvent.findUnique({ where: { consumer_eventId: { consumer: "consumer-a", eventId: "event-1" } } })).not.toBeNull();
  });

  it("does not run the work again for the same consumer and event: duplicate", async () => {
    const { uow } = setup();
    let runs = 0;
    await uow.runOnce("consumer-b", "event-1", TRACE, async () => void runs++);
    expect(await uow.runOnce("consumer-b", "event-1", TRACE, async () => void runs++)).toBe("duplicate");
    expect(runs).toBe(1);
  });

  it("lets another consumer process the same event", async () => {
    const { uow } = setup();
    await uow.runOnce("consumer-c", "event-1", TRACE, async () => {});
    expect(await uow.runOnce("consumer-d", "event-1", TRACE, async () => {})).toBe("processed");
  });

  it("runs the work once when two deliveries race, the second waiting for the first", async () => {
    const { uow } = setup();
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    };
    const outcomes = await Promise.all([uow.runOnce("consumer-e", "event-1", TRACE, work), uow.runOnce("consumer-e", "event-1", TRACE, work)]);
    expect(outcomes.sort()).toEqual(["duplicate", "processed"]);
    expect(runs).toBe(1);
  });

  it("keeps no record when the work fails, so a redelivery runs it", async () => {
    const { uow, dapr } = setup();
    await expect(
      uow.runOnce("consumer-f", "event-1", TRACE, async (_tx, emit) => {
        emit(draft("never"));
        throw new Error("transient");
      }),
    ).rejects.toThrow("transient");
    expect(await database.prisma.processedEvent.count({ where: { consumer: "consumer-f" } })).toBe(0);
    expect(dapr.published).toEqual([]);
    expect(await uow.runOnce("consumer-f", "event-1", TRACE, async () => {})).toBe("processed");
  });
});
