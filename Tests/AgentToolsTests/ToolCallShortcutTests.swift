import Foundation
import MCP
import MarketTesting
import Testing

@testable import AgentTools

/// The shortcut answers tool calls without the SDK's `Value` round trips; what it writes must
/// be what the SDK would have written.
@Suite("Tool calls answered beside the SDK's server")
struct ToolCallShortcutTests {
  @Test("an answer is byte for byte what the SDK's encoder writes", arguments: [ID.number(7), ID.string("a-1")])
  func sameBytes(id: ID) throws {
    let result = CallTool.Result(
      content: [.text(text: "AAPL 231.59 \"quoted\" \\ 吕 \n", annotations: nil, _meta: nil)],
      structuredContent: Value?.some([
        "price": 231.59, "whole": 101.0, "count": 3, "flag": true, "none": nil, "age_seconds": 0.029770851,
        "nested": ["list": [1, "two", 3.5], "empty": [:]], "control": "\u{01}tab\t",
      ]), isError: false)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let sdk = try encoder.encode(CallTool.response(id: id, result: result))
    let ours = ToolCallShortcut.encode(result, id: id)
    #expect(String(decoding: ours, as: UTF8.self) == String(decoding: sdk, as: UTF8.self))
  }

  @Test("requests racing initialize are all answered, tool calls and others")
  func beforeInitialize() async throws {
    let pipes = try StdioPipes()
    let harness = MCPHarness()
    let session = await harness.tools.makeSession()
    try await session.start(transport: LineTransport(input: pipes.serverInput, output: pipes.serverOutput))
    // All at once, as a hasty client writes them: the SDK's strict mode would drop the ones
    // that overtake initialize without a word.
    pipes.send(
      #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_quote","arguments":{"symbol":"AAPL"}}}"#,
      LineTransportTests.initialize, LineTransportTests.initialized, #"{"jsonrpc":"2.0","id":3,"method":"no/such"}"#,
      #"{"jsonrpc":"2.0","id":4,"method":"tools/list"}"#)
    #expect(await eventually(within: .seconds(60)) { pipes.received.count >= 4 })
    let messages = pipes.received.compactMap(LineTransportTests.object)
    #expect(LineTransportTests.message(5, in: messages)?["result"] != nil, "\(pipes.received)")
    #expect(LineTransportTests.errorCode(LineTransportTests.message(3, in: messages)) == -32_601)
    #expect(LineTransportTests.message(4, in: messages)?["result"] != nil)
    pipes.closeInput()
    await session.waitUntilCompleted()
    await session.close()
  }
}
