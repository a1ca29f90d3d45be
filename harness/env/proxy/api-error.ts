/**
 * The closed set of errors the API answers with, worded and coded as Toxiproxy 2.x does,
 * so that clients written against Toxiproxy (toxiproxy-node-client included) see the same.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const apiErrors = {
  proxyNotFound: () => new ApiError(404, 'proxy not found'),
  proxyExists: () => new ApiError(409, 'proxy already exists'),
  toxicNotFound: () => new ApiError(404, 'toxic not found'),
  toxicExists: () => new ApiError(409, 'toxic already exists'),
  invalidToxicType: () => new ApiError(400, 'invalid toxic type'),
  invalidStream: () => new ApiError(400, 'stream was invalid, can be either upstream or downstream'),
  missingField: (field: 'name' | 'upstream', suffix = '') =>
    new ApiError(400, `missing required field: ${field}${suffix}`),
  badBody: (detail: string) => new ApiError(400, `bad request body: ${detail}`),
  listenFailed: (detail: string) => new ApiError(500, detail),
} as const;
