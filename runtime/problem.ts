/**
 * RFC 9457 problem details: the one error shape every function answers with.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `tags.3` or `title`. */
  field: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  /** How many problems there were, when `errors` lists only the first MAX_LISTED_ERRORS. */
  errorCount?: number;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const STATUS_TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

/** A failure that is the caller's to see: thrown by handlers, rendered by the runtime. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, detail?: string, options: { errors?: FieldError[]; headers?: Record<string, string> } = {}) {
    super(detail ?? STATUS_TITLES[status] ?? `HTTP ${status}`);
    this.name = "HttpProblem";
    this.status = status;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toJSON(): ProblemDetails {
    return problemDetails(this.status, this.detail, this.errors);
  }
}

/** An answer stays small whatever the body held: a 64 KiB body can hold thousands of unknown keys. */
export const MAX_LISTED_ERRORS = 20;

export function problemDetails(status: number, detail?: string, errors?: FieldError[]): ProblemDetails {
  return {
    type: "about:blank",
    title: STATUS_TITLES[status] ?? `HTTP ${status}`,
    status,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors: errors.slice(0, MAX_LISTED_ERRORS) }),
    ...(errors !== undefined && errors.length > MAX_LISTED_ERRORS ? { errorCount: errors.length } : {}),
  };
}

/** The 400 for invalid input: every offending field in `errors`, the first of them in `detail`. */
export function invalidInput(errors: FieldError[]): HttpProblem {
  const listed = errors.slice(0, MAX_LISTED_ERRORS).map((e) => `${e.field}: ${e.message}`);
  const more = errors.length > MAX_LISTED_ERRORS ? `; and ${errors.length - MAX_LISTED_ERRORS} more` : "";
  return new HttpProblem(400, `${listed.join("; ")}${more}`, { errors });
}

export function problemResponse(problem: HttpProblem): Response {
  return new Response(JSON.stringify(problem.toJSON()), {
    status: problem.status,
    headers: { ...problem.headers, "content-type": PROBLEM_CONTENT_TYPE },
  });
}
