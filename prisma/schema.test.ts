/**
 * prisma/schema.prisma and prisma/migrations describe the same database: the
 * schema is parsed with Prisma's own parser, the migrations are applied to a
 * fresh database (the test template), and the two are compared both ways.
 */
import { readFileSync } from "node:fs";
import wasm from "@prisma/prisma-schema-wasm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database.js";

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  hasDefaultValue: boolean;
  default?: { name?: string } | unknown;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueIndexes: { fields: string[] }[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc"; operatorClass?: string }[];
}
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[]; indexes: DmmfIndex[] };
}

const prismaSchema = readFileSync(new URL("./schema.prisma", import.meta.url), "utf8");
const { datamodel } = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema }))) as Dmmf;
const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (field: DmmfField) => field.dbName ?? field.name;
const scalarFields = (model: DmmfModel) => model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
const enumDbName = (name: string) => {
  const found = datamodel.enums.find((e) => e.name === name)!;
  return found.dbName ?? found.name;
};

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: "YES" | "NO";
  column_default: string | null;
  datetime_precision: number | null;
}
interface Index {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
  descending: boolean[];
  method: string;
  opclasses: string[];
}

let database: TestDatabase;
let columns: Column[];
let tables: string[];
let indexes: Index[];
let enums: Map<string, string[]>;

beforeAll(async () => {
  database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    tables = (
      await client.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
    ).rows.map((r) => r.table_name);
    columns = (
      await client.query<Column>(
        `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision FROM information_schema.columns WHERE table_schema = 'public'`,
      )
    ).rows;
    indexes = (
      await client.query<Index>(`
        SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
          array(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
          array(SELECT (o.opt & 1) = 1 FROM unnest(ix.indoption::int2[]) WITH ORDINALITY o(opt, n) ORDER BY o.n) AS descending,
          am.amname::text AS method,
          array(SELECT opc.opcname::text FROM unnest(ix.indclass::oid[]) WITH ORDINALITY c(oid, n) JOIN pg_opclass opc ON opc.oid = c.oid ORDER BY c.n) AS opclasses
        FROM pg_index ix
        JOIN pg_class i ON i.oid = ix.indexrelid
        JOIN pg_am am ON am.oid = i.relam
        JOIN pg_class t ON t.oid = ix.indrelid
        JOIN pg_namespace ns ON ns.oid = t.relnamespace
        WHERE ns.nspname = 'public'`)
    ).rows;
    const enumRows = await client.query<{ name: string; values: string[] }>(`
      SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace ns ON ns.oid = t.typnamespace
      WHERE ns.nspname = 'public' GROUP BY t.typname`);
    enums = new Map(enumRows.rows.map((r) => [r.name, r.values]));
  } finally {
    await client.end();
  }
});
afterAll(() => database.drop());

/** The information_schema description a Prisma scalar field must have. */
function expectedType(field: DmmfField): Partial<Column> {
  if (field.isList) return { data_type: "ARRAY", udt_name: `_${expectedType({ ...field, isList: false }).udt_name}` };
  if (field.kind === "enum") return { data_type: "USER-DEFINED", udt_name: enumDbName(field.type) };
  const native = field.nativeType?.[0];
  switch (field.type) {
    case "String":
      return native === "Uuid" ? { data_type: "uuid", udt_name: "uuid" } : { data_type: "text", udt_name: "text" };
    case "Int":
      return { data_type: "integer", udt_name: "int4" };
    case "BigInt":
      return { data_type: "bigint", udt_name: "int8" };
    case "Boolean":
      return { data_type: "boolean", udt_name: "bool" };
    case "Json":
      return { data_type: "jsonb", udt_name: "jsonb" };
    case "DateTime": {
      const precision = Number(field.nativeType?.[1]?.[0] ?? 3);
      return native === "Timestamptz"
        ? { data_type: "timestamp with time zone", udt_name: "timestamptz", datetime_precision: precision }
        : { data_type: "timestamp without time zone", udt_name: "timestamp", datetime_precision: precision };
    }
    default:
      throw new Error(`schema.test.ts does not know how Prisma maps ${field.type}; teach expectedType`);
  }
}

/** Prisma's named operator classes as PostgreSQL calls them; raw("…") ones are given as PostgreSQL names. */
const OPERATOR_CLASSES: Record<string, string> = { ArrayOps: "array_ops", JsonbOps: "jsonb_ops", JsonbPathOps: "jsonb_path_ops" };

/** Prisma fills these defaults in itself; every other @default must be the column's default. */
const CLIENT_SIDE_DEFAULTS = new Set(["uuid", "cuid", "nanoid", "ulid"]);

describe("schema.prisma ↔ migrations", () => {
  it("the schema parses and has models", () => {
    expect(datamodel.models.map((m) => m.name).sort()).toEqual(["OutboxEvent", "ProcessedEvent", "Task", "TaskHistory"]);
  });

  it("every table the migrations create belongs to a model, and every model has its table", () => {
    expect(tables.filter((t) => t !== "_prisma_migrations").sort()).toEqual(datamodel.models.map(tableOf).sort());
  });

  it("every enum exists with exactly the schema's values, in order, and no other enum exists", () => {
    for (const e of datamodel.enums) expect(enums.get(e.dbName ?? e.name), e.name).toEqual(e.values.map((v) => v.dbName ?? v.name));
    expect([...enums.keys()].sort()).toEqual(datamodel.enums.map((e) => e.dbName ?? e.name).sort());
  });

  describe.each(datamodel.models.map((m) => [m.name, m] as const))("model %s", (_name, model) => {
    const columnsOf = () => columns.filter((c) => c.table_name === tableOf(model));

    it("has a column for every scalar field and no column without a field", () => {
      expect(
        columnsOf()
          .map((c) => c.column_name)
          .sort(),
      ).toEqual(scalarFields(model).map(columnOf).sort());
    });

    it.each(scalarFields(model).map((f) => [f.name, f] as const))("field %s has the column type Prisma maps it to", (_field, field) => {
      const column = columnsOf().find((c) => c.column_name === columnOf(field));
      expect(column, columnOf(field)).toBeDefined();
      expect(column).toMatchObject(expectedType(field));
    });

    it.each(scalarFields(model).map((f) => [f.name, f] as const))("field %s is NOT NULL exactly when required (lists may be nullable)", (_field, field) => {
      const column = columnsOf().find((c) => c.column_name === columnOf(field))!;
      if (field.isList) return;
      expect(column.is_nullable).toBe(field.isRequired ? "NO" : "YES");
    });

    it.each(scalarFields(model).map((f) => [f.name, f] as const))(
      "field %s has a database default exactly when it has a database-side @default",
      (_field, field) => {
        const column = columnsOf().find((c) => c.column_name === columnOf(field))!;
        const defaultName = (field.default as { name?: string } | undefined)?.name;
        const databaseSide = field.hasDefaultValue && !(defaultName && CLIENT_SIDE_DEFAULTS.has(defaultName));
        expect(column.column_default !== null, `${columnOf(field)} default ${column.column_default}`).toBe(databaseSide);
      },
    );

    it("has its primary key on the @id / @@id columns, in order", () => {
      const idColumns = model.primaryKey
        ? model.primaryKey.fields.map((name) => columnOf(model.fields.find((f) => f.name === name)!))
        : model.fields.filter((f) => f.isId).map(columnOf);
      expect(idColumns.length).toBeGreaterThan(0);
      const primary = indexes.filter((i) => i.table === tableOf(model) && i.primary);
      expect(primary.map((i) => i.columns)).toEqual([idColumns]);
    });

    it("has a unique index for every @unique and @@unique", () => {
      const uniques = [...model.uniqueIndexes.map((u) => u.fields), ...model.fields.filter((f) => f.isUnique).map((f) => [f.name])];
      for (const fields of uniques) {
        const wanted = fields.map((name) => columnOf(model.fields.find((f) => f.name === name)!));
        expect(
          indexes.some((i) => i.table === tableOf(model) && i.unique && !i.primary && JSON.stringify(i.columns) === JSON.stringify(wanted)),
          wanted.join(","),
        ).toBe(true);
      }
    });

    const declaredIndexes = () =>
      datamodel.indexes
        .filter((i) => i.model === model.name)
        .map((i) => ({
          unique: i.type !== "normal",
          columns: i.fields.map((f) => columnOf(model.fields.find((m) => m.name === f.name)!)),
          descending: i.fields.map((f) => f.sortOrder === "desc"),
          method: (i.algorithm ?? "btree").toLowerCase(),
          operatorClasses: i.fields.map((f) => (f.operatorClass ? (OPERATOR_CLASSES[f.operatorClass] ?? f.operatorClass) : undefined)),
        }));
    const actualIndexes = () => indexes.filter((i) => i.table === tableOf(model));

    it("has every @@index with its columns, sort orders and method, and no index the schema does not declare", () => {
      const key = (i: { unique: boolean; columns: string[]; descending: boolean[]; method: string }) =>
        JSON.stringify([i.unique, i.columns, i.descending, i.method]);
      expect(actualIndexes().map(key).sort()).toEqual(declaredIndexes().map(key).sort());
    });

    it("gives every index column the operator class the schema names (the type's default where it names none)", () => {
      for (const declared of declaredIndexes()) {
        const actual = actualIndexes().find((i) => JSON.stringify(i.columns) === JSON.stringify(declared.columns) && i.method === declared.method)!;
        declared.operatorClasses.forEach((opclass, k) => {
          if (opclass) expect(actual.opclasses[k], `${declared.columns.join(",")}: ${declared.columns[k]}`).toBe(opclass);
        });
      }
    });
  });
});
