import NIOCore

/// What a connection asks its channel handler to send, with where the reply goes.
enum RedisRequest: Sendable {
  case command(RedisCommand, deadline: NIODeadline, promise: EventLoopPromise<RESPValue>)
  /// Several commands in one write; the promise gets every reply, in order, or the failure.
  case pipeline([RedisCommand], deadline: NIODeadline, promise: EventLoopPromise<[RESPValue]>)
  /// A command whose confirmation arrives as a push (`SUBSCRIBE`): nothing waits for a reply.
  case withoutReply(RedisCommand)

  func fail(_ error: RedisError) {
    switch self {
    case .command(_, _, let promise): promise.fail(error)
    case .pipeline(_, _, let promise): promise.fail(error)
    case .withoutReply: break
    }
  }
}

/// The whole Redis protocol on one channel: encodes requests, decodes replies, and matches
/// them to the commands in flight in order (RESP replies carry no id).
///
/// Push frames never match a command: they go to `onPush`. Each command has a deadline; one
/// missed deadline closes the connection, since a late reply would be taken for the reply
/// to the next command. After a protocol error the connection closes too: RESP cannot find
/// the start of the next value again.
final class RedisChannelHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  private enum Pending {
    case command(EventLoopPromise<RESPValue>, deadline: NIODeadline)
    case pipeline(PipelineReplies, deadline: NIODeadline)

    var deadline: NIODeadline {
      switch self {
      case .command(_, let deadline), .pipeline(_, let deadline): deadline
      }
    }

    func fail(_ error: RedisError) {
      switch self {
      case .command(let promise, _): promise.fail(error)
      case .pipeline(let replies, _): replies.promise.fail(error)
      }
    }
  }

  /// Replies gathered for one pipeline; a class so that appending does not copy them.
  private final class PipelineReplies {
    var values: [RESPValue] = []
    let expected: Int
    let promise: EventLoopPromise<[RESPValue]>

    init(expected: Int, promise: EventLoopPromise<[RESPValue]>) {
      self.expected = expected
      self.promise = promise
      values.reserveCapacity(expected)
    }
  }

  /// Pub/sub kinds that arrive as plain arrays on a RESP2 subscriber connection.
  private static let pubSubKinds: Set<String> = [
    "message", "pmessage", "smessage", "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe",
    "sunsubscribe",
  ]

  private var decoder: RESPDecoder
  private var pending = CircularBuffer<Pending>(initialCapacity: 16)
  private var context: ChannelHandlerContext?
  private var deadlineCheck: Scheduled<Void>?
  private var deadlineCheckAt: NIODeadline?
  /// Set once the connection is closing: why no more requests are taken.
  private var closeReason: RedisError?
  private let isSubscriber: Bool
  private let onPush: @Sendable (RESPValue) -> Void
  /// Completed with why the connection ended, once it has.
  let closed: EventLoopPromise<RedisError>

  init(
    limits: RESPDecoder.Limits, isSubscriber: Bool, closed: EventLoopPromise<RedisError>,
    onPush: @escaping @Sendable (RESPValue) -> Void
  ) {
    decoder = RESPDecoder(limits: limits)
    self.isSubscriber = isSubscriber
    self.closed = closed
    self.onPush = onPush
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    close(because: .unavailable(reason: "connection closed"))
    self.context = nil
  }

  /// Writes a request and flushes it. Called on the event loop.
  func send(_ request: RedisRequest) {
    guard let context, closeReason == nil else {
      request.fail(closeReason.map(Self.reasonForLaterCommands) ?? .unavailable(reason: "connection not open"))
      return
    }
    var buffer: ByteBuffer
    let deadline: NIODeadline?
    switch request {
    case .command(let command, let commandDeadline, let promise):
      buffer = context.channel.allocator.buffer(capacity: command.encodedLength)
      command.write(into: &buffer)
      pending.append(.command(promise, deadline: commandDeadline))
      deadline = commandDeadline
    case .pipeline(let commands, let pipelineDeadline, let promise):
      guard !commands.isEmpty else {
        promise.succeed([])
        return
      }
      buffer = context.channel.allocator.buffer(capacity: commands.reduce(0) { $0 + $1.encodedLength })
      for command in commands { command.write(into: &buffer) }
      pending.append(.pipeline(PipelineReplies(expected: commands.count, promise: promise), deadline: pipelineDeadline))
      deadline = pipelineDeadline
    case .withoutReply(let command):
      buffer = context.channel.allocator.buffer(capacity: command.encodedLength)
      command.write(into: &buffer)
      deadline = nil
    }
    if let deadline { armDeadlineCheck(for: deadline, context: context) }
    context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    decoder.feed(unwrapInboundIn(data))
    do {
      while closeReason == nil, let value = try decoder.next() {
        route(value)
      }
    } catch {
      close(because: .protocolError(error.description))
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    close(because: .unavailable(reason: "connection closed by the server"))
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    close(because: .unavailable(reason: RedisConnection.describe(error)))
  }

  private func route(_ value: RESPValue) {
    if case .push = value {
      onPush(value)
      return
    }
    if isSubscriber, case .array(let elements?) = value, let kind = elements.first?.string,
      Self.pubSubKinds.contains(kind.lowercased())
    {
      onPush(value)
      return
    }
    guard let head = pending.first else {
      if let message = value.errorMessage {
        close(because: .serverError(message))
      } else {
        close(because: .protocolError("a \(value.kindName) arrived with no command waiting for it"))
      }
      return
    }
    switch head {
    case .command(let promise, _):
      pending.removeFirst()
      promise.succeed(value)
    case .pipeline(let replies, _):
      replies.values.append(value)
      if replies.values.count == replies.expected {
        pending.removeFirst()
        replies.promise.succeed(replies.values)
      }
    }
  }

  /// One timer per connection, at the earliest deadline in flight. Commands share a timeout,
  /// so a new command rarely moves it and a busy connection arms about one timer per timeout
  /// period rather than one per command; only a shorter deadline (after the handshake's
  /// longer one) moves it earlier.
  private func armDeadlineCheck(for deadline: NIODeadline, context: ChannelHandlerContext) {
    if let armedAt = deadlineCheckAt, armedAt <= deadline { return }
    deadlineCheck?.cancel()
    deadlineCheckAt = deadline
    deadlineCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
      self.deadlineCheck = nil
      self.deadlineCheckAt = nil
      self.checkDeadlines()
    }
  }

  private func checkDeadlines() {
    guard let context, let earliest = pending.lazy.map(\.deadline).min() else { return }
    if earliest <= context.eventLoop.now {
      close(because: .timeout)
    } else {
      armDeadlineCheck(for: earliest, context: context)
    }
  }

  /// Stops taking requests, fails what is in flight and closes the channel; the first
  /// reason wins.
  private func close(because reason: RedisError) {
    guard closeReason == nil else { return }
    closeReason = reason
    deadlineCheck?.cancel()
    deadlineCheck = nil
    deadlineCheckAt = nil
    let now = context?.eventLoop.now ?? .now()
    let inFlight = Self.reasonForLaterCommands(reason)
    while let waiting = pending.popFirst() {
      waiting.fail(reason == .timeout && waiting.deadline <= now ? .timeout : inFlight)
    }
    closed.succeed(reason)
    context?.close(promise: nil)
  }

  /// What commands still in flight (or sent after the close) fail with.
  private static func reasonForLaterCommands(_ reason: RedisError) -> RedisError {
    switch reason {
    case .unavailable: reason
    case .timeout: .unavailable(reason: "connection closed after a command timed out")
    default: .unavailable(reason: "connection closed: \(reason)")
    }
  }
}
