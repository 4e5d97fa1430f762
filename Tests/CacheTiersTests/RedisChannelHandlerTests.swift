import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import CacheTiers

/// The channel handler on an embedded channel: replies matched in order, pushes routed
/// aside, deadlines and protocol errors closing the connection. Virtual time, no server.
@Suite struct RedisChannelHandlerTests {
  final class Harness {
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel
    let handler: RedisChannelHandler
    let closed: EventLoopPromise<RedisError>
    let pushes = PushLog()

    final class PushLog: Sendable {
      let values = Mutex<[RESPValue]>([])
      var count: Int { values.withLock { $0.count } }
    }

    init(isSubscriber: Bool = false, limits: RESPDecoder.Limits = .init()) throws {
      closed = loop.makePromise()
      let pushes = self.pushes
      handler = RedisChannelHandler(limits: limits, isSubscriber: isSubscriber, closed: closed) { push in
        pushes.values.withLock { $0.append(push) }
      }
      channel = EmbeddedChannel(handler: handler, loop: loop)
      try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
    }

    func send(_ words: String..., timeout: TimeAmount = .milliseconds(250)) -> EventLoopFuture<RESPValue> {
      let promise = loop.makePromise(of: RESPValue.self)
      handler.send(.command(RedisCommand(words: words), deadline: loop.now + timeout, promise: promise))
      return promise.futureResult
    }

    func pipeline(_ commands: [[String]], timeout: TimeAmount = .milliseconds(250)) -> EventLoopFuture<[RESPValue]> {
      let promise = loop.makePromise(of: [RESPValue].self)
      handler.send(.pipeline(commands.map(RedisCommand.init(words:)), deadline: loop.now + timeout, promise: promise))
      return promise.futureResult
    }

    func receive(_ wire: String) throws {
      try channel.writeInbound(ByteBuffer(string: wire))
    }

    /// Everything written to the server so far, as text.
    func written() throws -> String {
      var text = ""
      while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
      return text
    }

    var closeReason: RedisError? {
      var reason: RedisError?
      closed.futureResult.assumeIsolated().whenSuccess { reason = $0 }
      return reason
    }
  }

  static func result<Value>(_ future: EventLoopFuture<Value>) -> Result<Value, RedisError>? {
    var result: Result<Value, RedisError>?
    future.assumeIsolated().whenComplete { outcome in
      result = outcome.mapError { $0 as? RedisError ?? .protocolError("\($0)") }
    }
    return result
  }

  @Test func repliesAreMatchedToCommandsInOrder() throws {
    let harness = try Harness()
    let first = harness.send("GET", "a")
    let batch = harness.pipeline([["GET", "b"], ["INCR", "c"]])
    let last = harness.send("PING")
    #expect(
      try harness.written()
        == "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n*1\r\n$4\r\nPING\r\n")
    try harness.receive("$1\r\nA\r\n$1\r\nB\r\n:")
    #expect(Self.result(first) == .success(.bulkString(ByteBuffer(string: "A"))))
    #expect(Self.result(batch) == nil)
    try harness.receive("7\r\n+PONG\r\n")
    #expect(Self.result(batch) == .success([.bulkString(ByteBuffer(string: "B")), .integer(7)]))
    #expect(Self.result(last) == .success(.simpleString("PONG")))
  }

  @Test func errorRepliesAreRepliesToo() throws {
    let harness = try Harness()
    let failing = harness.send("INCR", "text")
    let next = harness.send("PING")
    try harness.receive("-ERR value is not an integer\r\n+PONG\r\n")
    #expect(Self.result(failing) == .success(.simpleError("ERR value is not an integer")))
    #expect(Self.result(next) == .success(.simpleString("PONG")))
    #expect(harness.channel.isActive)
  }

  @Test func pushFramesAreNeverTakenForReplies() throws {
    let harness = try Harness()
    let first = harness.send("GET", "a")
    let second = harness.send("GET", "b")
    let invalidation = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\na\r\n"
    try harness.receive(invalidation + "$1\r\n1\r\n" + invalidation + invalidation + "$1\r\n2\r\n" + invalidation)
    #expect(Self.result(first) == .success(.bulkString(ByteBuffer(string: "1"))))
    #expect(Self.result(second) == .success(.bulkString(ByteBuffer(string: "2"))))
    #expect(harness.pushes.count == 4)
    #expect(harness.channel.isActive)
  }

  @Test func aResp2SubscriberTellsMessagesFromReplies() throws {
    let harness = try Harness(isSubscriber: true)
    let ping = harness.send("PING")
    try harness.receive("*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n")
    #expect(Self.result(ping) == .success(.array([.bulkString(ByteBuffer(string: "pong")), .bulkString(ByteBuffer())])))
    #expect(harness.pushes.count == 1)
  }

  @Test func aReplyNobodyAskedForClosesTheConnection() throws {
    let harness = try Harness()
    try harness.receive("+OK\r\n")
    #expect(!harness.channel.isActive)
    #expect(harness.closeReason == .protocolError("a simple string arrived with no command waiting for it"))
  }

  @Test func aProtocolErrorFailsEverythingInFlightAndCloses() throws {
    let harness = try Harness()
    let first = harness.send("GET", "a")
    let second = harness.pipeline([["GET", "b"]])
    try harness.receive("$1\r\nA\r\n?garbage\r\n")
    #expect(Self.result(first) == .success(.bulkString(ByteBuffer(string: "A"))))
    guard case .failure(.unavailable(let reason)) = Self.result(second) else {
      Issue.record("the pipeline did not fail")
      return
    }
    #expect(reason.contains("protocol error"))
    #expect(harness.closeReason == .protocolError(RESPDecodingError.invalidTypeByte(UInt8(ascii: "?")).description))
    #expect(!harness.channel.isActive)
    // Nothing is sent on a connection that can no longer be trusted.
    let late = harness.send("PING")
    guard case .failure(.unavailable) = Self.result(late) else {
      Issue.record("a command after the close did not fail at once")
      return
    }
  }

  @Test func anOversizedReplyIsAProtocolError() throws {
    let harness = try Harness(limits: .init(maximumBulkLength: 8, maximumValueBytes: 64))
    let get = harness.send("GET", "big")
    try harness.receive("$9\r\n")
    guard case .failure(.unavailable) = Self.result(get) else {
      Issue.record("the oversized reply was accepted")
      return
    }
    #expect(harness.closeReason == .protocolError(RESPDecodingError.bulkLengthExceedsLimit(maximum: 8).description))
  }

  @Test func aMissedDeadlineTimesOutAndClosesTheConnection() throws {
    let harness = try Harness()
    let slow = harness.send("GET", "a", timeout: .milliseconds(250))
    harness.loop.advanceTime(by: .milliseconds(100))
    let later = harness.send("GET", "b", timeout: .milliseconds(250))
    harness.loop.advanceTime(by: .milliseconds(149))
    #expect(Self.result(slow) == nil)
    harness.loop.advanceTime(by: .milliseconds(1))
    #expect(Self.result(slow) == .failure(.timeout))
    #expect(Self.result(later) == .failure(.unavailable(reason: "connection closed after a command timed out")))
    #expect(harness.closeReason == .timeout)
    #expect(!harness.channel.isActive)
  }

  @Test func aShorterDeadlineAfterALongerOneStillFiresOnTime() throws {
    let harness = try Harness()
    // Like the handshake: a long deadline arms the timer first, then is answered.
    let hello = harness.send("HELLO", "3", timeout: .seconds(2))
    try harness.receive("+OK\r\n")
    #expect(Self.result(hello) == .success(.simpleString("OK")))
    let get = harness.send("GET", "a", timeout: .milliseconds(200))
    harness.loop.advanceTime(by: .milliseconds(200))
    #expect(Self.result(get) == .failure(.timeout))
  }

  @Test func repliesInTimeKeepTheConnection() throws {
    let harness = try Harness()
    for round in 0..<10 {
      let get = harness.send("GET", "k\(round)")
      harness.loop.advanceTime(by: .milliseconds(200))
      try harness.receive(":\(round)\r\n")
      #expect(Self.result(get) == .success(.integer(Int64(round))))
    }
    harness.loop.advanceTime(by: .seconds(5))
    #expect(harness.channel.isActive)
  }

  @Test func theServerClosingFailsWhatIsInFlight() throws {
    let harness = try Harness()
    let get = harness.send("GET", "a")
    harness.channel.pipeline.fireChannelInactive()
    #expect(Self.result(get) == .failure(.unavailable(reason: "connection closed by the server")))
    #expect(harness.closeReason == .unavailable(reason: "connection closed by the server"))
  }

  @Test func anEmptyPipelineSucceedsWithoutWriting() throws {
    let harness = try Harness()
    let empty = harness.pipeline([])
    #expect(Self.result(empty) == .success([]))
    #expect(try harness.written() == "")
  }
}
