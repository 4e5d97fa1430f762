import ControlAPIClient
import Hummingbird
import MarketCore

/// `GET /v1/cache` (statistics) and `DELETE /v1/cache[?prefix=]`, `DELETE /v1/cache/{symbol}`.
extension ControlAPIBuilder {
  /// Cache keys are `v1:quote:AAPL`-shaped; a prefix outside this alphabet can match nothing.
  static let maximumPrefixLength = 64

  func addCacheRoutes(_ routes: RouteRegistrar) {
    routes.on(.get, "/v1/cache") { [core] _, _ in JSONBody.response(CacheBody(core.cacheStatistics())) }

    routes.on(.delete, "/v1/cache") { [core] request, _ in
      let scope: InvalidationScope
      if let prefix = request.uri.queryParameters["prefix"] {
        scope = .prefix(try Self.validatedPrefix(prefix))
      } else {
        scope = .all
      }
      let removed = core.invalidate(scope)
      return JSONBody.response(InvalidationBody(scope: scope.description, removed: removed))
    }

    routes.on(.delete, "/v1/cache/{symbol}") { [core] _, context in
      let symbol = try parseSymbol(try context.pathParameter("symbol"))
      let removed = core.invalidate(.symbol(symbol))
      return JSONBody.response(InvalidationBody(scope: InvalidationScope.symbol(symbol).description, removed: removed))
    }
  }

  static func validatedPrefix(_ prefix: Substring) throws -> String {
    guard !prefix.isEmpty, prefix.utf8.count <= maximumPrefixLength,
      prefix.unicodeScalars.allSatisfy({ scalar in
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
          || ":.-=^_".unicodeScalars.contains(scalar)
      })
    else {
      throw APIError.badRequest(
        "invalid_prefix",
        "a cache prefix is 1 to \(maximumPrefixLength) characters of letters, digits and : . - = ^ _ (keys look like v1:quote:AAPL)"
      )
    }
    return String(prefix)
  }
}
