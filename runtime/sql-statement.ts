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
// Past a WITH, the conventions ask for the first operation found (INSERT in `WITH inserted AS (INSERT …) SELECT …`).
const OPERATION = /^\s*(?:WITH\b.*?\b(SELECT|INSERT|UPDATE|DELETE|MERGE)\b|([A-Za-z]+))/is;
const IDENTIFIER = '("?[A-Za-z_][\\w$]*"?)';
const TABLE = new RegExp(`\\b(?:(?:INTO|UPDATE)\\s+${IDENTIFIER}|(?:FROM|JOIN)\\s+${IDENTIFIER}(?![\\w$"]|\\s*\\())`, "gi");

function describe(text: string): StatementDescription {
  const match = OPERATION.exec(text);
  const operation = (match?.[1] ?? match?.[2])?.toUpperCase();
  const tables = new Set(Array.from(text.matchAll(TABLE), (match) => (match[1] ?? match[2]!).replaceAll('"', "")));
  // The conventions name a collection only when the statement has exactly one.
  const collection = tables.size === 1 ? [...tables][0]! : undefined;
  const attributes: Record<string, string> = { "db.system.name": "postgresql", "db.query.text": text };
  if (operation) attributes["db.operation.name"] = operation;
  if (collection) attributes["db.collection.name"] = collection;
  const name = [operation, collection].filter(Boolean).join(" ") || "postgresql";
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
