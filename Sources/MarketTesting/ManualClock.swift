import Foundation
import MarketCore
import Synchronization

/// A clock that moves only when a test says so. Sleepers wake, in deadline order, when
/// ``advance(by:)`` passes their deadline, so time-based tests run instantly and repeat
/// exactly.
public final class ManualClock: MarketClock {
  private struct Sleeper {
    var id: Int
    var deadline: MarketInstant
    var continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    var now = MarketInstant.origin
    var sleepers: [Sleeper] = []
    var nextID = 0
    var cancelled: Set<Int> = []
  }

  private let state = Mutex(State())
  /// The wall-clock time of the origin instant.
  public let wallOrigin: Date

  public init(wallOrigin: Date = Date(timeIntervalSince1970: 1_764_374_400)) {
    self.wallOrigin = wallOrigin
  }

  public func now() -> MarketInstant { state.withLock { $0.now } }

  public func wallTime(at instant: MarketInstant) -> Date {
    wallOrigin.addingTimeInterval(Double(instant.nanoseconds) / 1e9)
  }

  public func sleep(until deadline: MarketInstant) async throws {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let resumeNow: Result<Void, any Error>? = state.withLock { state in
          if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
          if deadline <= state.now { return .success(()) }
          state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
          return nil
        }
        if let resumeNow { continuation.resume(with: resumeNow) }
      }
    } onCancel: {
      let sleeper: Sleeper? = state.withLock { state in
        if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
          return state.sleepers.remove(at: index)
        }
        state.cancelled.insert(id)
        return nil
      }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Moves time forward, waking every sleeper whose deadline has come, earliest first.
  public func advance(by duration: Duration) {
    advance(to: now() + duration)
  }

  public func advance(to instant: MarketInstant) {
    let woken: [Sleeper] = state.withLock { state in
      state.now = max(state.now, instant)
      let now = state.now
      let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
      state.sleepers.removeAll { $0.deadline <= now }
      return due
    }
    for sleeper in woken { sleeper.continuation.resume() }
  }

  /// How many tasks are asleep on this clock now.
  public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

  /// Waits until at least `count` tasks sleep on this clock, so a test can advance time
  /// knowing the background work it expects is parked.
  public func waitForSleepers(_ count: Int) async {
    await eventually { sleeperCount >= count }
  }
}
