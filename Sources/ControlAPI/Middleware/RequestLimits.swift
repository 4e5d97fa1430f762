import Hummingbird

/// Rejects oversized URIs before any route parses them; bodies are bounded where they are read.
struct RequestLimits: Sendable {
  let maximumQueryBytes: Int
  let maximumPathBytes = 8 * 1024

  func check(_ request: Request) throws(APIError) {
    if request.uri.path.utf8.count > maximumPathBytes {
      throw APIError(.uriTooLong, "uri_too_long", "the path is longer than \(maximumPathBytes) bytes")
    }
    if let query = request.uri.query, query.utf8.count > maximumQueryBytes {
      throw APIError(.uriTooLong, "uri_too_long", "the query is longer than \(maximumQueryBytes) bytes")
    }
  }
}
