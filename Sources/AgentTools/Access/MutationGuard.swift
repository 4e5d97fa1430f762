import MCP

/// Who may call a tool that changes state. Over HTTP the rule is the control API's: when a
/// bearer token is configured, a mutating call needs `Authorization: Bearer <token>` on its
/// request; reads stay open. Over stdio the client is the process that started us (the
/// operator's agent runner), so mutations are open there.
public struct MutationGuard: Sendable {
  /// What the guard says about one call.
  public enum Decision: Sendable, Equatable {
    case permitted
    /// Refused with the API's error class (`unauthorized`, `invalid_token`) and a message that
    /// never contains a token, offered or expected.
    case refused(class: String, message: String)
  }

  private let rule: @Sendable (HTTPRequest?) -> Decision

  public init(_ rule: @escaping @Sendable (HTTPRequest?) -> Decision) { self.rule = rule }

  public func decide(for request: HTTPRequest?) -> Decision { rule(request) }

  /// Everyone may mutate: stdio, in-process tests, and the API on loopback without a token.
  public static let open = MutationGuard { _ in .permitted }

  /// A bearer token is required; `matches` compares a candidate with the configured token (in
  /// constant time: ControlAPI passes `APIToken.matches`). A call without an HTTP request
  /// behind it is refused too: nothing vouches for it.
  public static func bearerToken(matches: @escaping @Sendable (Substring) -> Bool) -> MutationGuard {
    MutationGuard { request in
      guard let header = request?.header("Authorization") else {
        return .refused(
          class: "unauthorized", message: "this tool changes state and needs Authorization: Bearer <token> on the request")
      }
      let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
      guard parts.count == 2, parts[0].lowercased() == "bearer", matches(parts[1]) else {
        return .refused(class: "invalid_token", message: "the bearer token is missing or wrong")
      }
      return .permitted
    }
  }
}
