import Hummingbird

/// When a token is configured, every mutating request (POST, PUT, PATCH, DELETE) must carry
/// `Authorization: Bearer <token>`. Reads stay open: agents poll quotes without a secret.
/// Neither the expected nor the offered token ever appears in a response or a log. MCP's
/// `/mcp` speaks JSON-RPC over POST for reads and writes alike; it applies the same token to
/// its mutating tools itself (``MCPEndpoint``).
struct BearerTokenRule: Sendable {
  let token: APIToken?

  static func isMutating(_ method: HTTPRequest.Method) -> Bool {
    method == .post || method == .put || method == .patch || method == .delete
  }

  func check(_ request: Request) throws(APIError) {
    guard let token, Self.isMutating(request.method), request.uri.path != MCPEndpoint.path else { return }
    guard let header = request.headers[.authorization] else {
      throw APIError(
        .unauthorized, "unauthorized", "this route changes state and needs Authorization: Bearer <token>",
        headers: [.wwwAuthenticate: #"Bearer realm="lianyaohu""#])
    }
    let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
    guard parts.count == 2, parts[0].lowercased() == "bearer", token.matches(parts[1]) else {
      throw APIError(
        .unauthorized, "invalid_token", "the bearer token is missing or wrong",
        headers: [.wwwAuthenticate: #"Bearer realm="lianyaohu", error="invalid_token""#])
    }
  }
}
