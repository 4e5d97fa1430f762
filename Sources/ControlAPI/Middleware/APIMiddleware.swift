import Hummingbird

/// Every route's guard and finish in one middleware: URI bounds, the bearer token, errors as
/// JSON, gzip. One layer, not four: each middleware layer is an existential, generic async
/// call, and on a cache-hit quote four of them cost about a third of the throughput.
struct APIMiddleware: RouterMiddleware {
  typealias Context = APIRequestContext

  let limits: RequestLimits
  let token: BearerTokenRule
  let errors: ErrorResponder
  let compression: ResponseCompression

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    let response: Response
    do {
      try limits.check(request)
      try token.check(request)
      response = try await next(request, context)
    } catch {
      response = errors.response(for: error, to: request, logger: context.logger)
    }
    return try await compression.apply(to: response, for: request)
  }
}
