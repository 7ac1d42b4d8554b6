/**
 * What a statement span is called and says about its SQL, after OpenTelemetry's
 * database semantic conventions (https://opentelemetry.io/docs/specs/semconv/database/):
 * named `<operation> <collection>` (`SELECT tasks`), with the parameterised text
 * as `db.query.text` — the values travel separately and never reach a span.
 */
export interface StatementDescription {
  name: string;
  attributes: Record<string, string>;
}

// The first keyword, and the tables named after INTO or UPDATE, or after FROM or
// JOIN unless a function (unnest(…)) or a subquery is named there.
const FIRST_KEYWORD = /^\s*([A-Za-z]+)/;
// Past a WITH, what the statement does: its first data-modifying operation
// (INSERT in `WITH v AS (VALUES …), inserted AS (INSERT …) SELECT …`), else its first one.
const MODIFYING = /(?<!\bFOR\s+(?:NO\s+KEY\s+)?)\b(INSERT|UPDATE|DELETE|MERGE)\b/i;
const ANY_OPERATION = /\b(SELECT|INSERT|UPDATE|DELETE|MERGE)\b/i;
const IDENTIFIER = '("?[A-Za-z_][\\w$]*"?)';
const TABLE = new RegExp(`\\b(?:(?:INTO|UPDATE)\\s+${IDENTIFIER}|(?:FROM|JOIN)\\s+${IDENTIFIER}(?![\\w$"]|\\s*\\())`, "gi");
// A WITH query's own names (`name AS (` or `name(columns) AS (`) are not tables.
const CTE_NAME = /\b([A-Za-z_][\w$]*)\s*(?:\([^()]*\))?\s+AS\s*\(/gi;
// A call of one function and nothing else, in the select list (`SELECT outbox_finish_publishing(…) AS x`)
// or as the only thing read (`SELECT a, b FROM outbox_write_events(…)`): named by the function.
const SOLE_CALL = /^\s*SELECT\s+(?:([A-Za-z_][\w$]*)\s*\((?![\s\S]*\bFROM\b)|[\w\s,*]*?\bFROM\s+([A-Za-z_][\w$]*)\s*\((?![\s\S]*\b(?:FROM|JOIN)\b))/i;

function operationOf(text: string): string | undefined {
  const first = FIRST_KEYWORD.exec(text)?.[1];
  if (first?.toUpperCase() !== "WITH") return first?.toUpperCase();
  return (MODIFYING.exec(text) ?? ANY_OPERATION.exec(text))?.[1]?.toUpperCase();
}

function describe(text: string): StatementDescription {
  const operation = operationOf(text);
  const cteNames = new Set(Array.from(text.matchAll(CTE_NAME), (match) => match[1]!.toLowerCase()));
  const tables = new Set(
    Array.from(text.matchAll(TABLE), (match) => (match[1] ?? match[2]!).replaceAll('"', "")).filter((table) => !cteNames.has(table.toLowerCase())),
  );
  // The conventions name a collection only when the statement has exactly one.
  const collection = tables.size === 1 ? [...tables][0]! : undefined;
  const call = SOLE_CALL.exec(text);
  const procedure = call?.[1] ?? call?.[2];
  const attributes: Record<string, string> = { "db.system.name": "postgresql", "db.query.text": text };
  if (operation) attributes["db.operation.name"] = operation;
  if (collection) attributes["db.collection.name"] = collection;
  if (procedure) attributes["db.stored_procedure.name"] = procedure;
  const name = [operation, collection ?? procedure].filter(Boolean).join(" ") || "postgresql";
  return { name, attributes };
}

// The functions' statements are templates: a bounded set of texts, each described
// once. Past the bound (a text built some other way) it is described each time.
const MAX_CACHED = 1_000;
const described = new Map<string, StatementDescription>();

export function describeStatement(text: string): StatementDescription {
  let description = described.get(text);
  if (!description) {
    description = describe(text);
    if (described.size < MAX_CACHED) described.set(text, description);
  }
  return description;
}
