/**
 * Errors the node answers with. Every refusal is a value with an HTTP status, a stable
 * code and a sentence a person can act on; the router turns it into a JSON body
 * `{ "error": sentence, "code": code }` (the real Ocean Node answers `{ error }` or plain text;
 * the lib only reads the status and, at most, `error`).
 */
export class NodeError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'NodeError';
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string, code = 'BAD_REQUEST'): NodeError =>
  new NodeError(400, code, message);

export const unauthorized = (
  message: string,
  code = 'UNAUTHORIZED'
): NodeError => new NodeError(401, code, message);

export const forbidden = (message: string, code = 'FORBIDDEN'): NodeError =>
  new NodeError(403, code, message);

export const notFound = (message: string, code = 'NOT_FOUND'): NodeError =>
  new NodeError(404, code, message);

export const payloadTooLarge = (limit: number): NodeError =>
  new NodeError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${limit} bytes.`
  );

/**
 * The real Ocean Node answers HTTP 500 (with a message) when an order or its provider fee does
 * not check out; clients (the lib, markets) only see "not OK". We keep that status so clients
 * written against the real node behave the same, and give a distinct code.
 */
export const orderRefused = (
  message: string,
  code = 'ORDER_INVALID'
): NodeError => new NodeError(500, code, message);
