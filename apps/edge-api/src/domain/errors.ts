// The errors the product answers with, as typed codes (Documenso's AppError is the model). Domain code
// throws AppError with a code and a message naming the field ("email: already taken"); what each code
// means to a caller (its HTTP status) is this one table, which the HTTP error handler applies.

export const ERROR_STATUS = {
  // The input is wrong.
  invalid_request: 400,
  malformed_request: 400,
  invalid_reference: 400,
  invalid_token: 400,
  token_used: 400,
  token_expired: 400,
  not_a_session: 400,
  // Who is asking.
  unauthorized: 401,
  invalid_credentials: 401,
  forbidden: 403,
  no_membership: 403,
  csrf_failed: 403,
  not_found: 404,
  // The state does not allow it.
  conflict: 409,
  in_use: 409,
  email_taken: 409,
  already_member: 409,
  last_owner: 409,
  already_merged: 409,
  merged: 409,
  erased: 409,
  duplicate_contact: 409,
  duplicate_company: 409,
  lead_closed: 409,
  already_converted: 409,
  invalid_transition: 409,
  no_lead: 409,
  no_contact: 409,
  no_pipeline: 409,
  stage_required: 409,
  stage_has_deals: 409,
  pipeline_has_deals: 409,
  not_refreshable: 409,
  idempotency_conflict: 409,
  idempotency_in_progress: 409,
  version_taken: 409,
  consent_required: 409,
  not_installable: 409,
  // The body.
  too_large: 413,
  unsupported_media_type: 415,
  invalid_route: 422,
  no_products: 422,
  no_contact_fields: 422,
  upgrade_required: 426,
  // Try again later.
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_STATUS, code);

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** For rate_limited and unavailable: when to come back. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "AppError";
  }

  /**
   * The field a message names by the convention "field.path: what is wrong" (how every refusal of an
   * input reads), so callers get it as data (`details.issues`) and never parse messages.
   */
  get field(): string | undefined {
    return /^([\w.-]+): /.exec(this.message)?.[1];
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }

  /** A refusal that trying again cannot change (the input or the state is wrong), not a passing fault. */
  get permanent(): boolean {
    return this.status < 500 && this.code !== "rate_limited";
  }
}

export const notFound = (what = "resource") => new AppError("not_found", `${what} not found`);
