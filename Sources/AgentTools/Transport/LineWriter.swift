import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes newline-terminated messages to a file descriptor from a thread of its own, so a
/// client that reads slowly blocks that thread, never the concurrency pool. Messages queued
/// while a write is in progress go out together in the next `write(2)`. Past `highWater`
/// queued bytes, async writers wait for room. Once the reader has gone (`EPIPE`), further
/// messages are dropped: there is nobody left to read them.
final class LineWriter: @unchecked Sendable {
  // Everything below `condition` is guarded by it.
  private let condition = NSCondition()
  private var queue: [Data] = []
  private var queuedBytes = 0
  private var isWriting = false
  private var isClosed = false
  private var isStarted = false
  private(set) var hasFailed = false
  private var roomWaiters: [CheckedContinuation<Void, Never>] = []

  private let output: Int32
  private let highWater: Int

  init(output: Int32, highWater: Int = 8 << 20) {
    self.output = output
    self.highWater = highWater
  }

  func start() {
    let shouldStart = condition.withLock {
      defer { isStarted = true }
      return !isStarted
    }
    guard shouldStart else { return }
    let thread = Thread { [self] in run() }
    thread.name = "lianyaohu-mcp-writer"
    thread.start()
  }

  /// Queues a message without waiting (the reader thread's own error answers use this).
  func enqueue(_ message: Data) {
    condition.withLock { _ = append(message) }
  }

  /// Queues a message; waits while the queue is over its high-water mark.
  func write(_ message: Data) async {
    let mustWait = condition.withLock { append(message) }
    guard mustWait else { return }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      condition.withLock {
        if queuedBytes <= highWater || hasFailed || isClosed {
          continuation.resume()
        } else {
          roomWaiters.append(continuation)
        }
      }
    }
  }

  /// Nothing queued and nothing being written.
  var isIdle: Bool { condition.withLock { queue.isEmpty && !isWriting } }

  /// Writes what is queued, then lets the thread end.
  func close() {
    condition.withLock {
      isClosed = true
      condition.broadcast()
    }
  }

  /// Caller holds the lock. True when the queue is now over the high-water mark.
  private func append(_ message: Data) -> Bool {
    guard !hasFailed, !isClosed else { return false }
    queue.append(message)
    queuedBytes += message.count + 1
    condition.signal()
    return queuedBytes > highWater
  }

  private func run() {
    condition.lock()
    while true {
      while queue.isEmpty && !isClosed { condition.wait() }
      if queue.isEmpty { break }
      let batch = queue
      queue.removeAll(keepingCapacity: true)
      isWriting = true
      condition.unlock()

      var bytes = Data()
      bytes.reserveCapacity(batch.reduce(0) { $0 + $1.count + 1 })
      for message in batch {
        bytes.append(message)
        bytes.append(0x0A)
      }
      let written = writeAll(bytes)

      condition.lock()
      isWriting = false
      queuedBytes -= bytes.count
      if !written {
        hasFailed = true
        queue.removeAll()
        queuedBytes = 0
      }
      if queuedBytes <= highWater || hasFailed {
        for waiter in roomWaiters { waiter.resume() }
        roomWaiters.removeAll()
      }
      condition.broadcast()
    }
    for waiter in roomWaiters { waiter.resume() }
    roomWaiters.removeAll()
    condition.unlock()
  }

  /// False when the descriptor cannot take more (the reader closed it).
  private func writeAll(_ bytes: Data) -> Bool {
    bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
      guard let base = buffer.baseAddress else { return true }
      var offset = 0
      while offset < buffer.count {
        let result = systemWrite(output, base + offset, buffer.count - offset)
        if result > 0 {
          offset += result
        } else if result < 0 && errno == EINTR {
          continue
        } else if result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
          var descriptor = pollfd(fd: output, events: Int16(POLLOUT), revents: 0)
          _ = poll(&descriptor, 1, -1)
        } else {
          return false
        }
      }
      return true
    }
  }
}

/// `write(2)`, named apart from ``LineWriter/write(_:)``, which would shadow it.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  write(descriptor, bytes, count)
}
