import Foundation
import Logging
import MCP
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// MCP's stdio transport (one JSON-RPC message per line), made for hostile input. The SDK's
/// own `StdioTransport` switches both descriptors to non-blocking mode (which leaks into the
/// parent's terminal), polls with 10 ms sleeps, rescans its whole buffer for every 4 KiB read
/// (a 10 MB line costs minutes) and hands malformed lines to the server, which answers them
/// with a random id. This one:
///
/// - reads and writes blocking, each on a thread of its own (never a pool thread);
/// - skips a line longer than `maximumLineBytes` as it streams past, holding none of it, and
///   answers `-32600` with `"id": null`;
/// - answers a line that is not JSON with `-32700` and `"id": null`, and one that is not an
///   object or array with `-32600`, without bothering the server;
/// - ends the incoming stream at end of input, and can ``drain(timeout:)``: wait until every
///   request read has been answered and written, so closing stdin mid-call still gets the
///   answer out before the process exits.
public actor LineTransport: Transport {
  public nonisolated let logger: Logger
  private let input: Int32
  private let maximumLineBytes: Int
  private let writer: LineWriter
  private let ledger = RequestLedger()
  private let incoming: AsyncThrowingStream<Data, any Error>
  private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
  private var isConnected = false

  /// The default bound on one message: far above any request the tools take (200 symbols
  /// are about 4 KiB), far below what would hurt the process.
  public static let defaultMaximumLineBytes = 4 << 20

  public init(
    input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, maximumLineBytes: Int = defaultMaximumLineBytes,
    logger: Logger = Logger(label: "lianyaohu.mcp.stdio")
  ) {
    self.input = input
    self.maximumLineBytes = maximumLineBytes
    self.writer = LineWriter(output: output)
    self.logger = logger
    (incoming, continuation) = AsyncThrowingStream.makeStream()
  }

  public func connect() async throws {
    guard !isConnected else { return }
    isConnected = true
    writer.start()
    let reader = LineReader(
      input: input, maximumLineBytes: maximumLineBytes, continuation: continuation, writer: writer, ledger: ledger,
      logger: logger)
    let thread = Thread { reader.run() }
    thread.name = "lianyaohu-mcp-reader"
    thread.start()
  }

  public func disconnect() async {
    guard isConnected else { return }
    isConnected = false
    continuation.finish()
    writer.close()
  }

  public func send(_ data: Data) async throws {
    let isResponse = (try? JSONMessageShape.scan(data).get())?.isResponse ?? false
    await writer.write(data)
    // Only once it is queued: ``drain(timeout:)`` must not see "all answered" and an idle
    // writer in between.
    if isResponse { ledger.answered() }
  }

  public func receive() -> AsyncThrowingStream<Data, any Error> { incoming }

  /// Waits until every request read so far has been answered and every answer written, or
  /// `timeout` has passed (a request the client cancelled is never answered). True when
  /// everything was answered.
  public func drain(timeout: Duration) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
      if ledger.unanswered == 0 && writer.isIdle { return true }
      try? await Task.sleep(for: .milliseconds(2))
    }
    return false
  }
}

/// Requests read and not yet answered.
final class RequestLedger: Sendable {
  private let count = Mutex(0)

  func asked() { count.withLock { $0 += 1 } }
  func answered() { count.withLock { $0 = max(0, $0 - 1) } }
  var unanswered: Int { count.withLock { $0 } }
}

/// The reading half of ``LineTransport``: blocking reads on a thread of its own, lines split
/// as they arrive (each byte looked at once), overlong lines skipped as they stream past.
private final class LineReader: Sendable {
  let input: Int32
  let maximumLineBytes: Int
  let continuation: AsyncThrowingStream<Data, any Error>.Continuation
  let writer: LineWriter
  let ledger: RequestLedger
  let logger: Logger

  init(
    input: Int32, maximumLineBytes: Int, continuation: AsyncThrowingStream<Data, any Error>.Continuation,
    writer: LineWriter, ledger: RequestLedger, logger: Logger
  ) {
    self.input = input
    self.maximumLineBytes = maximumLineBytes
    self.continuation = continuation
    self.writer = writer
    self.ledger = ledger
    self.logger = logger
  }

  func run() {
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    var line: [UInt8] = []
    var skipped: Int?  // bytes of the overlong line being skipped, while skipping
    while true {
      let count = chunk.withUnsafeMutableBytes { buffer in read(input, buffer.baseAddress, buffer.count) }
      if count < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK {
          var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
          _ = poll(&descriptor, 1, -1)
          continue
        }
        logger.error("reading standard input failed", metadata: ["errno": "\(errno)"])
        break
      }
      if count == 0 { break }
      var start = 0
      while start < count {
        let newline = chunk[start..<count].firstIndex(of: 0x0A)
        let end = newline ?? count
        let piece = chunk[start..<end]
        if let bytes = skipped {
          skipped = bytes + piece.count
        } else if line.count + piece.count > maximumLineBytes {
          skipped = line.count + piece.count
          line = []
        } else {
          line.append(contentsOf: piece)
        }
        if newline != nil {
          if let bytes = skipped {
            refuseOverlong(bytes)
            skipped = nil
          } else {
            deliver(line)
            line.removeAll(keepingCapacity: line.count <= 64 * 1024)
          }
        }
        start = end + 1
      }
    }
    if let bytes = skipped { refuseOverlong(bytes) } else if !line.isEmpty { deliver(line) }
    logger.debug("end of standard input")
    continuation.finish()
  }

  private func deliver(_ line: [UInt8]) {
    var bytes = line[...]
    while let last = bytes.last, last == 0x0D || last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
    guard !bytes.isEmpty else { return }
    switch JSONMessageShape.scan(bytes) {
    case .failure(let malformed):
      answer(code: -32_700, message: "Parse error: not JSON (\(malformed))")
    case .success(let shape) where shape.kind == .scalar:
      answer(code: -32_600, message: "Invalid Request: a JSON-RPC message is an object")
    case .success(let shape):
      if shape.isRequest { ledger.asked() }
      continuation.yield(Data(bytes))
    }
  }

  private func refuseOverlong(_ bytes: Int) {
    logger.warning("skipped an overlong message", metadata: ["bytes": "\(bytes)", "limit": "\(maximumLineBytes)"])
    answer(
      code: -32_600,
      message:
        "Invalid Request: a message of \(bytes) bytes is longer than the limit of \(maximumLineBytes) bytes; it was skipped")
  }

  /// An error no request id can be given for: JSON-RPC says `"id": null`.
  private func answer(code: Int, message: String) {
    var escaped = ""
    for scalar in message.unicodeScalars {
      switch scalar {
      case "\"": escaped += "\\\""
      case "\\": escaped += "\\\\"
      case _ where scalar.value < 0x20: escaped += " "
      default: escaped.unicodeScalars.append(scalar)
      }
    }
    writer.enqueue(Data(#"{"jsonrpc":"2.0","id":null,"error":{"code":\#(code),"message":"\#(escaped)"}}"#.utf8))
  }
}
