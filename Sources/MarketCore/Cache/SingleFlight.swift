import Synchronization

/// Collapses concurrent requests for one key into one upstream call: the first caller starts
/// the work, everyone who arrives while it runs awaits the same result. Nothing is remembered
/// afterwards, so errors are never cached here.
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  public typealias Flight = Task<Result<Value, ReadError>, Never>

  private let flights = Mutex<[Key: Flight]>([:])

  public init() {}

  /// Joins the flight for `key`, or starts one running `work`. The work runs in its own task,
  /// so a caller that is cancelled stops waiting without cancelling the others' call.
  public func run(
    _ key: Key, _ work: @escaping @Sendable () async -> Result<Value, ReadError>
  ) async -> Result<Value, ReadError> {
    await flight(for: key, work).value
  }

  /// The flight for `key`, starting it if none runs; `started` tells whether this call did.
  public func flight(
    for key: Key, _ work: @escaping @Sendable () async -> Result<Value, ReadError>
  ) -> Flight {
    flights.withLock { flights in
      if let existing = flights[key] { return existing }
      let flight = Task { [self] in
        let result = await work()
        self.finish(key)
        return result
      }
      flights[key] = flight
      return flight
    }
  }

  /// Claims every key not already in flight for one shared batch: returns the flights
  /// joined, and installs flights for the rest that read their result from `batch`.
  public func claim(
    _ keys: [Key], batch makeBatch: @escaping @Sendable ([Key]) async -> [Key: Result<Value, ReadError>],
    missing: @escaping @Sendable (Key) -> ReadError
  ) -> [Key: Flight] {
    flights.withLock { flights in
      var result: [Key: Flight] = [:]
      var owned: [Key] = []
      for key in keys where result[key] == nil {
        if let existing = flights[key] { result[key] = existing } else { owned.append(key) }
      }
      guard !owned.isEmpty else { return result }
      let batch = Task { [owned] in await makeBatch(owned) }
      for key in owned {
        let flight = Task { [self] in
          let value = await batch.value[key] ?? .failure(missing(key))
          self.finish(key)
          return value
        }
        flights[key] = flight
        result[key] = flight
      }
      return result
    }
  }

  public var inFlightCount: Int { flights.withLock { $0.count } }

  private func finish(_ key: Key) {
    _ = flights.withLock { $0.removeValue(forKey: key) }
  }
}
