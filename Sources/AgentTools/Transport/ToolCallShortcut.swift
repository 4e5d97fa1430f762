import Foundation
import Logging
import MCP

/// Sits between a session's transport and the SDK's `Server` and answers `tools/call` itself;
/// every other message passes through to the server untouched.
///
/// Why: the SDK (0.12.1) moves each request through `Value` several times (it decodes the
/// incoming message up to four ways, re-encodes and re-decodes the params into the method's
/// type, encodes the result and decodes it back into a `Value`, then encodes the response), and
/// `Value`'s decoder compiles a regular expression for every string it meets (its data-URL
/// check). Profiled, a cache-hit `get_quote` spent two thirds of its time there and the server
/// managed a few hundred calls a second where the REST route serves tens of thousands. Here a
/// call is decoded once (no `Decodable`, no regex) and its answer written once by
/// ``JSONOutput``, in the same shape the SDK writes; requests are read by ``JSONValueReader``.
///
/// What stays the SDK's: initialization and every other method, responses' routing (answers
/// leave through the same transport), and the HTTP context of a call (asked of the transport as
/// the server would). Not supported on this path: cancelling a `tools/call` (they are short).
actor ToolCallShortcut: Transport, HTTPContextProviding {
  typealias Answer =
    @Sendable (_ name: String, _ arguments: [String: Value], _ request: HTTPRequest?) async throws(MCPError)
    -> CallTool.Result

  nonisolated let logger: Logger
  private let inner: any Transport
  private let answer: Answer
  private let toServer: AsyncThrowingStream<Data, any Error>
  private let toServerContinuation: AsyncThrowingStream<Data, any Error>.Continuation
  private var pump: Task<Void, Never>?

  init(_ inner: any Transport, logger: Logger, answer: @escaping Answer) {
    self.inner = inner
    self.logger = logger
    self.answer = answer
    (toServer, toServerContinuation) = AsyncThrowingStream.makeStream()
  }

  func connect() async throws {
    try await inner.connect()
    let incoming = await inner.receive()
    let router = Router(inner: inner, answer: answer, toServer: toServerContinuation)
    // Off this actor: the server calls back into it (send, HTTP context) while calls run.
    pump = Task.detached {
      do {
        for try await message in incoming { router.route(message) }
        router.toServer.finish()
      } catch {
        router.toServer.finish(throwing: error)
      }
    }
  }

  func disconnect() async {
    pump?.cancel()
    toServerContinuation.finish()
    await inner.disconnect()
  }

  nonisolated func send(_ data: Data) async throws { try await inner.send(data) }

  nonisolated func receive() -> AsyncThrowingStream<Data, any Error> { toServer }

  nonisolated func httpRequestContext(for id: ID) async -> HTTPRequest? {
    await (inner as? any HTTPContextProviding)?.httpRequestContext(for: id)
  }

  /// Decides, message by message, who answers.
  private struct Router: Sendable {
    let inner: any Transport
    let answer: Answer
    let toServer: AsyncThrowingStream<Data, any Error>.Continuation

    func route(_ message: Data) {
      guard let call = ToolCall(message) else {
        toServer.yield(message)
        return
      }
      Task {
        let request = await (inner as? any HTTPContextProviding)?.httpRequestContext(for: call.id)
        let response: Data
        do throws(MCPError) {
          response = ToolCallShortcut.encode(try await answer(call.name, call.arguments, request), id: call.id)
        } catch {
          response = ToolCallShortcut.encode(error, id: call.id)
        }
        try? await inner.send(response)
      }
    }
  }

  /// `{"id":…,"jsonrpc":"2.0","result":{"content":[…],"isError":…,"structuredContent":…}}`.
  static func encode(_ result: CallTool.Result, id: ID) -> Data {
    var members: [String: Value] = [:]
    members["content"] = .array(
      result.content.map { content in
        if case .text(let text, _, _) = content { return ["type": "text", "text": .string(text)] }
        return (try? Value(content)) ?? .null
      })
    if let structured = result.structuredContent { members["structuredContent"] = structured }
    if let isError = result.isError { members["isError"] = .bool(isError) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(1024)
    JSONOutput.append(#"{"id":"#, to: &bytes)
    switch id {
    case .string(let text): JSONOutput.write(text, into: &bytes)
    case .number(let number): JSONOutput.append(String(number), to: &bytes)
    }
    JSONOutput.append(#","jsonrpc":"2.0","result":"#, to: &bytes)
    JSONOutput.write(.object(members), into: &bytes)
    bytes.append(UInt8(ascii: "}"))
    return Data(bytes)
  }

  /// An error answer, as the SDK encodes them (they are rare: no need to be fast).
  static func encode(_ error: MCPError, id: ID) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return (try? encoder.encode(CallTool.response(id: id, error: error))) ?? Data()
  }

  /// A tool call, if the message is one we answer: `tools/call` with a string or integer id,
  /// a string name and object arguments. Anything else (other methods, malformed params) is
  /// the server's, which says what is wrong.
  fileprivate struct ToolCall {
    var id: ID
    var name: String
    var arguments: [String: Value]

    init?(_ message: Data) {
      guard case .object(let members)? = JSONValueReader.read(message), members["jsonrpc"] == "2.0",
        members["method"] == .string(CallTool.name),
        case .object(let params)? = members["params"], case .string(let name)? = params["name"]
      else { return nil }
      switch members["id"] {
      case .string(let text)?: id = .string(text)
      case .int(let number)?: id = .number(number)
      default: return nil
      }
      switch params["arguments"] {
      case nil, .null?: arguments = [:]
      case .object(let object)?: arguments = object
      default: return nil
      }
      self.name = name
    }
  }
}
