/// Why a Redis command did not give a usable reply.
///
/// No case ever carries a password or the arguments of a command: reasons are our own words
/// or the server's error text, which does not echo credentials.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No connection could take the command (the server is down, the client is not running, or
  /// the connection went away with the command in flight). Commands fail with this at once
  /// rather than queue while Redis is away.
  case unavailable(reason: String)
  /// No reply within the command timeout. The connection it was sent on is closed, because
  /// a late reply would otherwise be matched to the next command.
  case timeout
  /// The server answered with an error reply (`ERR ...`, `WRONGTYPE ...`).
  case serverError(String)
  /// The server sent bytes that are not RESP, or more than the configured limits.
  case protocolError(String)
  /// The server refused our credentials, or wants some and we have none.
  case authenticationFailed(String)
  /// The reply had a type the command cannot have (the name of the type, not its content).
  case unexpectedReply(String)
  /// A command this client does not send through `RedisClient.send`, with why.
  case invalidCommand(String)

  public var description: String {
    switch self {
    case .unavailable(let reason): "Redis unavailable: \(reason)"
    case .timeout: "Redis command timed out"
    case .serverError(let message): "Redis error: \(message)"
    case .protocolError(let message): "Redis protocol error: \(message)"
    case .authenticationFailed(let message): "Redis authentication failed: \(message)"
    case .unexpectedReply(let message): "unexpected Redis reply: \(message)"
    case .invalidCommand(let message): "invalid Redis command: \(message)"
    }
  }
}
