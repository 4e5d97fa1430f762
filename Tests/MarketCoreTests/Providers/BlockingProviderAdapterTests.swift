import Foundation
import MarketCore
import MarketTesting
import Synchronization
import Testing

/// A provider that blocks its thread until released, recording how many run at once and on
/// which threads.
final class BlockingProbe: SynchronousQuoteProvider {
  let id: ProviderID = "blocking"
  let capabilities = ProviderCapabilities(maximumBatchSize: 10)
  let release = DispatchSemaphore(value: 0)
  private let state = Mutex<(running: Int, peak: Int, threads: Set<String>)>((0, 0, []))

  var peakConcurrency: Int { state.withLock { $0.peak } }
  var running: Int { state.withLock { $0.running } }
  var threadNames: Set<String> { state.withLock { $0.threads } }

  func quoteBlocking(for symbol: Symbol) throws -> Quote {
    state.withLock {
      $0.running += 1
      $0.peak = max($0.peak, $0.running)
      $0.threads.insert(BlockingThreadPool.currentThreadName ?? "not a pool thread")
    }
    release.wait()
    state.withLock { $0.running -= 1 }
    if symbol == Symbol("FAIL") { throw ProviderError.timeout }
    let now = Date()
    return Quote(symbol: symbol, price: 1, asOf: now, receivedAt: now, source: id, isSimulated: false)
  }
}

@Suite("Blocking provider adapter", .serialized)
struct BlockingProviderAdapterTests {
  @Test("blocking calls run on the bounded pool, never more at once than its threads")
  func bounded() async throws {
    let pool = BlockingThreadPool(threads: 2, queueCapacity: 16, name: "test-blocking-")
    defer { pool.shutDown() }
    let probe = BlockingProbe()
    let adapter = BlockingProviderAdapter(probe, pool: pool)
    #expect(adapter.capabilities.isSynchronous)
    let symbols = try ["A", "B", "C", "D", "E"].map { try Symbol(validating: $0) }
    try await withThrowingTaskGroup(of: Quote.self) { group in
      for symbol in symbols { group.addTask { try await adapter.quote(for: symbol) } }
      // Wait until both pool threads are busy and the rest queue.
      while probe.running < 2 || pool.queueDepth < 3 { await Task.yield() }
      #expect(probe.running == 2)
      for _ in symbols { probe.release.signal() }
      var count = 0
      for try await _ in group { count += 1 }
      #expect(count == 5)
    }
    #expect(probe.peakConcurrency == 2)
    #expect(probe.threadNames.allSatisfy { $0.hasPrefix("test-blocking-") }, "\(probe.threadNames)")
  }

  @Test("errors come back typed; a full queue is rejected at once")
  func errorsAndBackpressure() async throws {
    let pool = BlockingThreadPool(threads: 1, queueCapacity: 1, name: "test-full")
    defer { pool.shutDown() }
    let probe = BlockingProbe()
    let adapter = BlockingProviderAdapter(probe, pool: pool)
    let first = Task { try await adapter.quote(for: Symbol("FAIL")) }
    while probe.running < 1 { await Task.yield() }
    let queued = Task { try await adapter.quote(for: Symbol("B")) }
    while pool.queueDepth < 1 { await Task.yield() }
    await #expect(throws: ProviderError.transport("blocking pool: queueFull(capacity: 1)")) {
      try await adapter.quote(for: Symbol("C"))
    }
    probe.release.signal()
    probe.release.signal()
    await #expect(throws: ProviderError.timeout) { try await first.value }
    #expect(try await queued.value.symbol == Symbol("B"))
  }

  @Test("batches go through the pool as one call")
  func batch() async throws {
    let pool = BlockingThreadPool(threads: 1, name: "test-batch")
    defer { pool.shutDown() }
    let probe = BlockingProbe()
    let adapter = BlockingProviderAdapter(probe, pool: pool)
    for _ in 0..<2 { probe.release.signal() }
    let results = try await adapter.quotes(for: [Symbol("A"), Symbol("FAIL")])
    #expect((try? results[Symbol("A")]?.get())?.price == 1)
    #expect(results[Symbol("FAIL")] == .failure(.timeout))
  }
}
