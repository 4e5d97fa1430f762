import Synchronization

/// A Lua script run by its SHA (`EVALSHA`), loaded on first use and sent whole again (`EVAL`,
/// which caches it anew) when the server answers `NOSCRIPT`: after `SCRIPT FLUSH`, a restart
/// or a failover to a replica that never saw it.
public final class RedisScript: Sendable {
  public let source: String
  private let state = Mutex((sha: String?.none, reloads: 0))

  public init(_ source: String) {
    self.source = source
  }

  /// Times the server had lost the script and it was sent again with `EVAL`.
  public var reloads: Int { state.withLock { $0.reloads } }

  /// Runs the script with `keys` and `arguments` on `client`.
  public func run(on client: RedisClient, keys: [String], arguments: [String]) async throws(RedisError) -> RESPValue {
    let keyWords = [String(keys.count)] + keys
    var sha = state.withLock { $0.sha }
    if sha == nil {
      let loaded = try await client.send(["SCRIPT", "LOAD", source])
      guard let text = loaded.string else { throw .unexpectedReply("SCRIPT LOAD answered with a \(loaded.kindName)") }
      state.withLock { $0.sha = text }
      sha = text
    }
    if let sha {
      do throws(RedisError) {
        return try await client.send(["EVALSHA", sha] + keyWords + arguments)
      } catch {
        guard case .serverError(let message) = error, message.hasPrefix("NOSCRIPT") else { throw error }
      }
    }
    state.withLock { $0.reloads += 1 }
    return try await client.send(["EVAL", source] + keyWords + arguments)
  }
}

extension RedisClient {
  /// `work`'s result, or ``RedisError/timeout`` once `timeout` has passed: the caller waits no
  /// longer, while the command itself still ends within the client's own command timeout.
  /// For callers on the quote path that must not wait on Redis as long as the tier may.
  public static func within<Value: Sendable>(
    _ timeout: Duration, _ work: @escaping @Sendable () async throws(RedisError) -> Value
  ) async -> Result<Value, RedisError> {
    let outcome = OneShot<Result<Value, RedisError>>()
    return await withCheckedContinuation { continuation in
      outcome.arm(continuation)
      let timer = Task {
        do { try await Task.sleep(for: timeout) } catch { return }
        outcome.resume(with: .failure(.timeout))
      }
      Task {
        let result: Result<Value, RedisError>
        do throws(RedisError) { result = .success(try await work()) } catch { result = .failure(error) }
        timer.cancel()
        outcome.resume(with: result)
      }
    }
  }
}

/// A continuation resumed by whichever of two tasks finishes first; the other's result is dropped.
private final class OneShot<Value: Sendable>: Sendable {
  private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

  func arm(_ continuation: CheckedContinuation<Value, Never>) {
    self.continuation.withLock { $0 = continuation }
  }

  func resume(with value: Value) {
    continuation.withLock { $0.take() }?.resume(returning: value)
  }
}
