/// Waits until `condition` holds or `limit` passes, polling every 200 µs; returns whether it
/// held. For background work a test has started (a refresh, a parked task, a server coming
/// back). It sleeps between polls rather than yielding in a loop: a yield loop keeps the
/// cooperative pool's few threads busy and starves the very work it waits for, and every
/// other test running in parallel with it. Tests still decide nothing by elapsed time:
/// `limit` only bounds a hang, so by default it is ``Duration/generousTimeout``, which a busy
/// machine running every test at once does not reach.
@discardableResult
public func eventually(
  within limit: Duration = .generousTimeout, _ condition: () async throws -> Bool
) async rethrows -> Bool {
  let clock = ContinuousClock()
  let deadline = clock.now + limit
  while try await !condition() {
    guard clock.now < deadline else { return false }
    try? await Task.sleep(for: .microseconds(200))
  }
  return true
}
