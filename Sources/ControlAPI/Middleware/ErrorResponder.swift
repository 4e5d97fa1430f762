import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Turns every error into the API's JSON error body, so clients parse one shape whatever
/// failed: a route's ``APIError``, Hummingbird's own (no such route, body too large), or an
/// unexpected error, which is logged by type and answered without detail.
struct ErrorResponder: Sendable {
  let routes: RouteTable

  func response(for error: any Error, to request: Request, logger: Logger) -> Response {
    switch error {
    case let error as APIError:
      return error.response()
    case let error as HTTPError where error.status == .notFound:
      let allowed = routes.methods(forPath: request.uri.path)
      guard allowed.isEmpty else {
        return APIError(
          .methodNotAllowed, "method_not_allowed",
          "\(request.method) is not allowed here; allowed: \(allowed.joined(separator: ", "))",
          headers: [.allow: allowed.joined(separator: ", ")]
        ).response()
      }
      return APIError.notFound("no_such_route", "no route \(request.method) \(printableExcerpt(request.uri.path, limit: 64))")
        .response()
    case is NIOTooManyBytesError:
      return APIError(.contentTooLarge, "body_too_large", "the request body is too large").response()
    case let error as any HTTPResponseError:
      let status = error.status
      return APIError(status, status.code >= 500 ? "internal" : "bad_request", status.reasonPhrase).response()
    default:
      logger.error("unexpected error in a route", metadata: ["error.type": "\(type(of: error))"])
      return APIError(.internalServerError, "internal", "internal error").response()
    }
  }
}

/// The routes the router holds, as path patterns, for telling "no such path" (404) from
/// "no such method on this path" (405). Filled once after the routes are registered.
final class RouteTable: Sendable {
  private let entries = Mutex<[(method: String, segments: [Substring])]>([])

  func record(method: String, path: String) {
    entries.withLock { $0.append((method, path.split(separator: "/"))) }
  }

  /// Methods registered for a concrete path, sorted; empty when no pattern matches it.
  func methods(forPath path: String) -> [String] {
    let segments = path.split(separator: "/")
    return entries.withLock { entries in
      Set(entries.filter { Self.matches($0.segments, segments) }.map(\.method)).sorted()
    }
  }

  private static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
    guard pattern.count == segments.count else { return false }
    for (part, segment) in zip(pattern, segments) {
      let isCapture = part.first == ":" || (part.first == "{" && part.last == "}")
      if !isCapture, part != segment { return false }
    }
    return true
  }
}
