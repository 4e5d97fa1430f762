import Foundation
import Synchronization

/// A small fixed set of threads for work that blocks (synchronous SDKs, blocking I/O).
///
/// Swift's cooperative pool has one thread per core; a blocking call there stalls every task
/// behind it. Work submitted here waits in a bounded queue instead, and a full queue is an
/// immediate, visible rejection rather than unbounded memory.
public final class BlockingThreadPool: Sendable {
  public enum Rejection: Error, Hashable, Sendable {
    case queueFull(capacity: Int)
    case shutDown
  }

  private struct State: ~Copyable {
    var queue: [@Sendable () -> Void] = []
    var head = 0
    var isShutDown = false
    var busyThreads = 0
  }

  private let state: Mutex<State>
  private let workAvailable = NSCondition()
  private let queueCapacity: Int
  public let threadCount: Int

  public init(threads: Int, queueCapacity: Int = 1024, name: String = "lianyaohu-blocking") {
    self.threadCount = max(1, threads)
    self.queueCapacity = max(1, queueCapacity)
    self.state = Mutex(State())
    for index in 0..<threadCount {
      let threadName = "\(name)-\(index)"
      let thread = Thread { [self] in
        Thread.current.threadDictionary[Self.threadNameKey] = threadName
        self.workLoop()
      }
      thread.name = threadName
      thread.start()
    }
  }

  /// Runs `work` on one of the pool's threads and resumes the caller with its result.
  public func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
      let job: @Sendable () -> Void = {
        continuation.resume(with: Result { try work() })
      }
      let rejection: Rejection? = state.withLock { state in
        if state.isShutDown { return .shutDown }
        if state.queue.count - state.head >= queueCapacity { return .queueFull(capacity: queueCapacity) }
        state.queue.append(job)
        return nil
      }
      if let rejection {
        continuation.resume(throwing: rejection)
        return
      }
      workAvailable.lock()
      workAvailable.signal()
      workAvailable.unlock()
    }
  }

  private static let threadNameKey = "lianyaohu.blocking-pool.thread"

  /// The pool thread the caller runs on, or nil on any other thread (the cooperative pool).
  public static var currentThreadName: String? {
    Thread.current.threadDictionary[threadNameKey] as? String
  }

  /// Jobs waiting for a thread.
  public var queueDepth: Int { state.withLock { $0.queue.count - $0.head } }

  /// Lets queued work finish, then stops the threads. Later `run` calls are rejected.
  public func shutDown() {
    state.withLock { $0.isShutDown = true }
    workAvailable.lock()
    workAvailable.broadcast()
    workAvailable.unlock()
  }

  private func nextJob() -> (@Sendable () -> Void)? {
    state.withLock { state in
      guard state.head < state.queue.count else { return nil }
      let job = state.queue[state.head]
      state.head += 1
      if state.head > 64, state.head * 2 > state.queue.count {
        state.queue.removeFirst(state.head)
        state.head = 0
      }
      return job
    }
  }

  private func workLoop() {
    while true {
      if let job = nextJob() {
        job()
        continue
      }
      if state.withLock({ $0.isShutDown }) { return }
      workAvailable.lock()
      // Re-checked under the condition's lock, which `run` and `shutDown` take to signal: a
      // signal cannot fall between this check and the wait, so the wait needs no timeout (and
      // the pool no clock).
      if state.withLock({ $0.head >= $0.queue.count && !$0.isShutDown }) {
        workAvailable.wait()
      }
      workAvailable.unlock()
    }
  }
}
