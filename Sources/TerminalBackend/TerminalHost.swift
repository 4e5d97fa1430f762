import Foundation
import Synchronization
import TerminalUI

/// Runs a ``Terminal`` on a thread of its own, so blocking key reads never stall Swift
/// concurrency's few threads: input comes out as an `AsyncStream`, frames go in through
/// ``present(_:theme:)`` (only the newest pending frame is drawn), and ``stop()`` restores
/// the terminal before it returns.
public final class TerminalHost: Sendable {
  private struct Shared {
    var pending: (frame: ScreenBuffer, theme: Theme)?
    var stopRequested = false
    var stopped = false
    var stopWaiters: [CheckedContinuation<Void, Never>] = []
    var frames = 0
    var cellsWritten = 0
  }

  /// Keys and resizes, in order. Ends when the host stops.
  public let inputs: AsyncStream<TerminalInput>
  /// The terminal's size when it opened.
  public let initialSize: TerminalSize
  private let shared: Mutex<Shared>
  private let waker: TerminalWaker

  private init(inputs: AsyncStream<TerminalInput>, initialSize: TerminalSize, waker: TerminalWaker) {
    self.inputs = inputs
    self.initialSize = initialSize
    self.shared = Mutex(Shared())
    self.waker = waker
  }

  /// Opens the terminal (on the new thread) and starts reading input; throws what opening
  /// threw, with the terminal untouched.
  public static func start(
    pollInterval: Duration = .milliseconds(250), _ makeTerminal: @escaping @Sendable () throws -> any Terminal
  ) async throws -> TerminalHost {
    let (inputs, continuation) = AsyncStream<TerminalInput>.makeStream(bufferingPolicy: .bufferingNewest(1024))
    return try await withCheckedThrowingContinuation { (started: CheckedContinuation<TerminalHost, any Error>) in
      let thread = Thread {
        let terminal: any Terminal
        do {
          terminal = try makeTerminal()
        } catch {
          started.resume(throwing: error)
          return
        }
        let host = TerminalHost(inputs: inputs, initialSize: terminal.size, waker: terminal.waker)
        started.resume(returning: host)
        host.serve(terminal, pollInterval: pollInterval, continuation: continuation)
      }
      thread.name = "lianyaohu-terminal"
      thread.start()
    }
  }

  /// Hands over a frame to draw; a frame not yet drawn is replaced by the newer one.
  public func present(_ frame: ScreenBuffer, theme: Theme) {
    let accepted = shared.withLock { shared in
      guard !shared.stopRequested else { return false }
      shared.pending = (frame, theme)
      return true
    }
    if accepted { waker.wake() }
  }

  /// Frames drawn and cells written so far.
  public var statistics: (frames: Int, cellsWritten: Int) {
    shared.withLock { ($0.frames, $0.cellsWritten) }
  }

  /// Restores the terminal and ends the input stream; returns once that is done. Safe to
  /// call more than once and from any task.
  public func stop() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let alreadyStopped = shared.withLock { shared in
        shared.stopRequested = true
        if shared.stopped { return true }
        shared.stopWaiters.append(continuation)
        return false
      }
      if alreadyStopped {
        continuation.resume()
      } else {
        waker.wake()
      }
    }
  }

  /// The terminal thread's loop: read input, draw the newest frame, until asked to stop.
  private func serve(_ terminal: any Terminal, pollInterval: Duration, continuation: AsyncStream<TerminalInput>.Continuation) {
    while true {
      let (frame, stop) = shared.withLock { shared in
        defer { shared.pending = nil }
        return (shared.pending, shared.stopRequested)
      }
      if stop { break }
      if let frame {
        let drawn = terminal.draw(frame.frame, theme: frame.theme)
        shared.withLock {
          $0.frames += 1
          $0.cellsWritten += drawn.cells
        }
      }
      guard let inputs = terminal.readInput(timeout: pollInterval) else { break }
      for input in inputs { continuation.yield(input) }
    }
    terminal.restore()
    continuation.finish()
    let waiters = shared.withLock { shared in
      shared.stopped = true
      defer { shared.stopWaiters.removeAll() }
      return shared.stopWaiters
    }
    for waiter in waiters { waiter.resume() }
  }
}
