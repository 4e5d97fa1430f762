import AgentTools
import Foundation
import MCP
import MarketCore
import MarketTesting
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The stdio transport over real pipes, as `lianyaohu mcp` runs it, fed what a broken or
/// hostile client sends.
@Suite("stdio transport under hostile input")
struct LineTransportTests {
  static let initialize =
    #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"#
    + #""clientInfo":{"name":"t","version":"1"}}}"#
  static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#

  @Test("garbage lines get parse errors with id null; the server goes on answering")
  func garbage() async throws {
    let pipes = try StdioPipes()
    let harness = MCPHarness()
    let transport = LineTransport(input: pipes.serverInput, output: pipes.serverOutput)
    let session = await harness.tools.makeSession()
    try await session.start(transport: transport)
    pipes.send(Self.initialize, Self.initialized)
    pipes.send("hello", "{\"jsonrpc\":", "[1,2", "42", "", "   ", "\u{FF}\u{FE}")
    pipes.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_quote","arguments":{"symbol":"AAPL"}}}"#)
    pipes.send(#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#)
    pipes.send(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_quote","arguments":"AAPL"}}"#)
    #expect(await eventually(within: .seconds(60)) { pipes.received.count >= 9 })
    let messages = pipes.received.compactMap(Self.object)
    #expect(messages.count == pipes.received.count, "every line written is JSON")
    let anonymous = messages.filter { $0["id"] is NSNull }
    #expect(anonymous.count == 5, "\(pipes.received)")
    #expect(anonymous.compactMap(Self.errorCode).sorted() == [-32_700, -32_700, -32_700, -32_700, -32_600])
    #expect(Self.message(2, in: messages)?["result"] != nil)
    #expect(Self.errorCode(Self.message(3, in: messages)) == -32_601)
    #expect(Self.errorCode(Self.message(4, in: messages)) == -32_602)
    pipes.closeInput()
    await session.waitUntilCompleted()
    await session.close()
  }

  @Test("a 10 MB line is skipped as it streams past and answered; the next line is served")
  func overlongLine() async throws {
    let pipes = try StdioPipes()
    let harness = MCPHarness()
    let transport = LineTransport(input: pipes.serverInput, output: pipes.serverOutput)
    let session = await harness.tools.makeSession()
    try await session.start(transport: transport)
    pipes.send(Self.initialize, Self.initialized)
    let huge =
      "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\",\"pad\":\"" + String(repeating: "x", count: 10_000_000) + "\"}"
    pipes.send(huge)
    pipes.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
    #expect(await eventually(within: .seconds(60)) { pipes.received.count >= 3 })
    let messages = pipes.received.compactMap(Self.object)
    let refusal = messages.first { $0["id"] is NSNull }
    #expect(Self.errorCode(refusal) == -32_600)
    #expect((Self.errorMessage(refusal) ?? "").contains("longer than the limit"))
    #expect(Self.message(2, in: messages)?["result"] != nil)
    #expect(Self.message(9, in: messages) == nil)
    pipes.closeInput()
    await session.waitUntilCompleted()
    await session.close()
  }

  @Test("stdin closed mid-call: the server's loop ends, and draining still gets the answer out")
  func closedMidCall() async throws {
    let pipes = try StdioPipes()
    let gate = Gate()
    let harness = MCPHarness(gate: gate)
    let transport = LineTransport(input: pipes.serverInput, output: pipes.serverOutput)
    let session = await harness.tools.makeSession()
    try await session.start(transport: transport)
    pipes.send(Self.initialize, Self.initialized)
    pipes.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_quote","arguments":{"symbol":"AAPL"}}}"#)
    await gate.waitForWaiters(1)
    pipes.closeInput()
    await session.waitUntilCompleted()
    #expect(Self.message(2, in: pipes.received.compactMap(Self.object)) == nil, "still in flight")
    gate.open()
    #expect(await transport.drain(timeout: .seconds(10)))
    // Drained means written to the pipe; the test's reader thread may not have read it yet.
    #expect(await eventually(within: .seconds(10)) { Self.message(2, in: pipes.received.compactMap(Self.object)) != nil })
    let answer = Self.message(2, in: pipes.received.compactMap(Self.object))
    let result = answer?["result"] as? [String: Any]
    #expect(result?["structuredContent"] != nil)
    #expect((result?["isError"] as? Bool) != true)
    await session.close()
  }

  // MARK: Reading what the server wrote

  static func object(_ line: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
  }

  static func message(_ id: Int, in messages: [[String: Any]]) -> [String: Any]? {
    messages.first { ($0["id"] as? Int) == id }
  }

  static func errorCode(_ message: [String: Any]?) -> Int? { (message?["error"] as? [String: Any])?["code"] as? Int }

  static func errorMessage(_ message: [String: Any]?) -> String? {
    (message?["error"] as? [String: Any])?["message"] as? String
  }
}

/// Two pipes standing in for a client: what it writes is the server's standard input, what
/// the server writes is collected line by line on a thread of its own.
final class StdioPipes: Sendable {
  let serverInput: Int32
  let serverOutput: Int32
  private let clientWrite: Mutex<Int32>
  private let clientRead: Int32
  private let lines = Mutex<[String]>([])

  init() throws {
    var input: [Int32] = [0, 0]
    var output: [Int32] = [0, 0]
    guard pipe(&input) == 0, pipe(&output) == 0 else { throw POSIXError(.EMFILE) }
    serverInput = input[0]
    clientWrite = Mutex(input[1])
    clientRead = output[0]
    serverOutput = output[1]
    let thread = Thread { [self] in collect() }
    thread.start()
  }

  var received: [String] { lines.withLock { $0 } }

  /// Writes each text as one line.
  func send(_ texts: String...) {
    for text in texts {
      let bytes = Array((text + "\n").utf8)
      clientWrite.withLock { descriptor in
        var offset = 0
        while offset < bytes.count {
          let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
          guard written > 0 else { return }
          offset += written
        }
      }
    }
  }

  func closeInput() {
    clientWrite.withLock { descriptor in
      close(descriptor)
      descriptor = -1
    }
  }

  private func collect() {
    var pending: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(clientRead, $0.baseAddress, $0.count) }
      if count <= 0 { return }
      pending.append(contentsOf: buffer[0..<count])
      while let newline = pending.firstIndex(of: 0x0A) {
        let line = String(decoding: pending[..<newline], as: UTF8.self)
        pending.removeSubrange(...newline)
        lines.withLock { $0.append(line) }
      }
    }
  }
}
