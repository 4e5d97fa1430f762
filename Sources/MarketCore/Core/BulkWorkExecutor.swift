import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Where heavy, latency-insensitive work runs (streaming a long history series, backfills):
/// one thread of its own at a lower scheduling priority, apart from the cooperative pool that
/// answers quote reads. On a two-core machine four million-bar streams on the pool would
/// hold both of its threads; here they share one thread that yields to everything else.
///
/// Use it as a task executor preference:
/// `try await withTaskExecutorPreference(BulkWorkExecutor.shared) { … }`.
public final class BulkWorkExecutor: TaskExecutor, Sendable {
  /// The process's one bulk thread.
  public static let shared = BulkWorkExecutor(name: "lianyaohu-bulk", niceness: 10)

  private struct Queue: ~Copyable {
    var jobs: [UnownedJob] = []
    var head = 0

    mutating func pop() -> UnownedJob? {
      guard head < jobs.count else { return nil }
      let job = jobs[head]
      head += 1
      if head == jobs.count {
        jobs.removeAll(keepingCapacity: true)
        head = 0
      }
      return job
    }
  }

  private let queue = Mutex(Queue())
  private let workAvailable = NSCondition()

  /// - Parameter niceness: the thread's scheduling niceness on Linux (0 to 19; higher yields
  ///   more). Elsewhere the thread runs at the default priority.
  public init(name: String, niceness: Int32) {
    let thread = Thread { [self] in
      #if os(Linux)
        // On Linux niceness belongs to the thread, and `who` 0 names the calling thread: this
        // lowers the bulk thread only.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        // Named for `top -H` (the kernel keeps 15 bytes; Foundation does not pass names on).
        try? String(name.utf8.prefix(15)).map {
          try $0.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        }
      #endif
      self.run()
    }
    thread.name = name
    thread.start()
  }

  public func enqueue(_ job: consuming ExecutorJob) {
    let unowned = UnownedJob(job)
    queue.withLock { $0.jobs.append(unowned) }
    workAvailable.lock()
    workAvailable.signal()
    workAvailable.unlock()
  }

  private func run() {
    while true {
      if let job = queue.withLock({ $0.pop() }) {
        job.runSynchronously(on: asUnownedTaskExecutor())
        continue
      }
      workAvailable.lock()
      // Checked again under the condition's lock: an enqueue between the pop above and this
      // wait signals after we wait, never before.
      if queue.withLock({ $0.head < $0.jobs.count }) {
        workAvailable.unlock()
        continue
      }
      workAvailable.wait()
      workAvailable.unlock()
    }
  }
}
