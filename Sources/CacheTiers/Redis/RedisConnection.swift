import Logging
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One TCP connection to Redis after its handshake: many commands in flight, replies in order.
final class RedisConnection: RedisPoolMember {
  /// What the connection is for, which decides what unsolicited values mean.
  enum Role: Sendable {
    /// Pooled commands; pushes (tracking invalidations and the like) are ignored.
    case commands
    /// One subscription; every pub/sub push goes to `onPush`.
    case subscriber(onPush: @Sendable (RESPValue) -> Void)
  }

  let channel: any Channel
  private let handler: NIOLoopBound<RedisChannelHandler>
  /// The RESP version agreed in the handshake: 3, or 2 after a fallback.
  let protocolVersion: Int
  private let closeReason: EventLoopFuture<RedisError>

  private init(
    channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, closeReason: EventLoopFuture<RedisError>,
    protocolVersion: Int
  ) {
    self.channel = channel
    self.handler = handler
    self.closeReason = closeReason
    self.protocolVersion = protocolVersion
  }

  /// Connects, then authenticates, chooses the protocol and selects the database.
  static func connect(
    configuration: RedisConfiguration, eventLoop: any EventLoop, role: Role, logger: Logger
  ) async throws(RedisError) -> RedisConnection {
    let limits = RESPDecoder.Limits(
      maximumBulkLength: configuration.maximumReplyBytes, maximumValueBytes: configuration.maximumReplyBytes)
    let onPush: @Sendable (RESPValue) -> Void
    let isSubscriber: Bool
    switch role {
    case .commands:
      onPush = { _ in }
      isSubscriber = false
    case .subscriber(let handler):
      onPush = handler
      isSubscriber = true
    }
    let tls: NIOSSLContext?
    do {
      tls = try configuration.tls.map(Self.makeTLSContext)
    } catch {
      throw .unavailable(reason: "TLS: \(describe(error))")
    }
    let serverName = configuration.tls.flatMap { $0.serverName ?? Self.hostName(configuration.host) }
    let bootstrap = ClientBootstrap(group: eventLoop)
      .connectTimeout(TimeAmount(configuration.connectTimeout))
      .channelOption(.socketOption(.tcp_nodelay), value: 1)
    let channel: any Channel
    let handler: NIOLoopBound<RedisChannelHandler>
    let closeReason: EventLoopFuture<RedisError>
    do {
      (channel, handler, closeReason) = try await bootstrap.connect(host: configuration.host, port: configuration.port) {
        channel in
        channel.eventLoop.makeCompletedFuture {
          let closed = channel.eventLoop.makePromise(of: RedisError.self)
          let handler = RedisChannelHandler(limits: limits, isSubscriber: isSubscriber, closed: closed, onPush: onPush)
          // Writes wait in the TLS handler until its handshake is done: the password in
          // HELLO never leaves in clear.
          if let tls {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
          }
          try channel.pipeline.syncOperations.addHandler(handler)
          return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), closed.futureResult)
        }
      }
    } catch {
      throw .unavailable(reason: "cannot connect to \(configuration.host):\(configuration.port): \(describe(error))")
    }
    do {
      let version = try await handshake(channel: channel, handler: handler, configuration: configuration)
      return RedisConnection(channel: channel, handler: handler, closeReason: closeReason, protocolVersion: version)
    } catch {
      channel.close(promise: nil)
      throw error
    }
  }

  /// `HELLO 3 [AUTH user password] [SETNAME name]`, or RESP2's `AUTH` when the server refuses
  /// `HELLO`; then `SELECT`. Returns the protocol version.
  private static func handshake(
    channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>, configuration: RedisConfiguration
  ) async throws(RedisError) -> Int {
    let timeout = TimeAmount(configuration.connectTimeout)
    func send(_ command: RedisCommand) async throws(RedisError) -> RESPValue {
      try await submit(command, deadline: channel.eventLoop.now + timeout, channel: channel, handler: handler)
        .redisValue()
    }
    var version = 2
    if configuration.protocolPreference == .resp3 {
      var hello = RedisCommand("HELLO", ["3"])
      if let password = configuration.password {
        hello.append("AUTH")
        hello.append(configuration.username ?? "default")
        hello.append(password.revealedValue)
      }
      if let clientName = configuration.clientName {
        hello.append("SETNAME")
        hello.append(clientName)
      }
      let reply = try await send(hello)
      if let message = reply.errorMessage {
        // Anything but a credentials problem means the server does not speak RESP3
        // (NOPROTO, or an unknown command before Redis 6): carry on in RESP2.
        if isAuthenticationError(message) { throw .authenticationFailed(message) }
      } else {
        version = 3
      }
    }
    if version == 2 {
      if let password = configuration.password {
        var auth = RedisCommand("AUTH")
        if let username = configuration.username { auth.append(username) }
        auth.append(password.revealedValue)
        if let message = try await send(auth).errorMessage { throw .authenticationFailed(message) }
      } else if let message = try await send(RedisCommand("PING")).errorMessage, isAuthenticationError(message) {
        // Without HELLO nothing so far needed credentials: find out now, not on the first command.
        throw .authenticationFailed(message)
      }
      if let clientName = configuration.clientName {
        // A name only helps `CLIENT LIST`; a server that refuses it is still usable.
        _ = try await send(RedisCommand("CLIENT", ["SETNAME", clientName]))
      }
    }
    if configuration.database != 0 {
      let reply = try await send(RedisCommand("SELECT").appending(configuration.database))
      if let message = reply.errorMessage { throw .serverError("SELECT \(configuration.database): \(message)") }
    }
    return version
  }

  private static func isAuthenticationError(_ message: String) -> Bool {
    ["WRONGPASS", "NOAUTH", "NOPERM", "ERR invalid password", "ERR AUTH"].contains { message.hasPrefix($0) }
  }

  private static func submit(
    _ command: RedisCommand, deadline: NIODeadline, channel: any Channel,
    handler: NIOLoopBound<RedisChannelHandler>
  ) -> EventLoopFuture<RESPValue> {
    let promise = channel.eventLoop.makePromise(of: RESPValue.self)
    deliver(.command(command, deadline: deadline, promise: promise), to: handler, on: channel.eventLoop)
    return promise.futureResult
  }

  private static func deliver(
    _ request: RedisRequest, to handler: NIOLoopBound<RedisChannelHandler>, on eventLoop: any EventLoop
  ) {
    if eventLoop.inEventLoop {
      handler.value.send(request)
    } else {
      eventLoop.execute { handler.value.send(request) }
    }
  }

  /// Sends one command; its reply, error replies included, or why there is none.
  func send(_ command: RedisCommand, timeout: TimeAmount) -> EventLoopFuture<RESPValue> {
    Self.submit(command, deadline: channel.eventLoop.now + timeout, channel: channel, handler: handler)
  }

  /// Sends the commands in one write and one flush; their replies in order.
  func pipeline(_ commands: [RedisCommand], timeout: TimeAmount) -> EventLoopFuture<[RESPValue]> {
    let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
    let deadline = channel.eventLoop.now + timeout
    Self.deliver(.pipeline(commands, deadline: deadline, promise: promise), to: handler, on: channel.eventLoop)
    return promise.futureResult
  }

  /// Sends a command whose confirmation arrives as a push.
  func sendWithoutReply(_ command: RedisCommand) {
    Self.deliver(.withoutReply(command), to: handler, on: channel.eventLoop)
  }

  func close() {
    channel.close(promise: nil)
  }

  /// Waits until the connection has closed and says why; cancelling the wait closes it.
  func waitUntilClosed() async -> RedisError {
    await withTaskCancellationHandler {
      (try? await closeReason.get()) ?? .unavailable(reason: "connection closed")
    } onCancel: {
      close()
    }
  }

  /// The client side of TLS as configured: the trust roots, and a client certificate when
  /// there is one. Files are read here, at each connect.
  private static func makeTLSContext(_ settings: RedisTLS) throws -> NIOSSLContext {
    var tls = TLSConfiguration.makeClientConfiguration()
    if let caFile = settings.caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
    if let certificateFile = settings.certificateFile, let keyFile = settings.keyFile {
      tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
      tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
    }
    return try NIOSSLContext(configuration: tls)
  }

  /// `host` as a name to check the certificate against and send as SNI; nil for an IP
  /// address, which TLS checks against the certificate's IP addresses instead.
  private static func hostName(_ host: String) -> String? {
    (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
  }

  /// A short human reason for a connection error, without NIO's type names.
  static func describe(_ error: any Error) -> String {
    switch error {
    case NIOSSLError.handshakeFailed(let reason):
      return "TLS handshake failed: \(describe(boringSSL: reason))"
    case let error as NIOSSLExtraError:
      return "TLS: \(error)"
    case let error as NIOSSLError:
      return "TLS: \(error)"
    case let error as BoringSSLError:
      return describe(boringSSL: error)
    case let error as NIOConnectionError:
      if let first = error.connectionErrors.first { return describe(first.error) }
      if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve the host name" }
      return "no address to connect to"
    case let error as IOError:
      return String(cString: strerror(error.errnoCode)).lowercased()
    case ChannelError.connectTimeout(let timeout):
      return "connect timed out after \(timeout.nanoseconds / 1_000_000) ms"
    case let error as ChannelError:
      return "\(error)"
    default:
      return "\(error)"
    }
  }
}

extension RedisConnection {
  /// BoringSSL's reason in words (`CERTIFICATE_VERIFY_FAILED` → "certificate verify failed"),
  /// or its whole text when it has none.
  static func describe(boringSSL error: BoringSSLError) -> String {
    let text = "\(error)"
    let reasons = text.split(separator: ":").compactMap { part -> String? in
      let word = part.prefix { $0.isUppercase || $0 == "_" }
      return word.count > 3 && word.contains("_") ? word.lowercased().replacingOccurrences(of: "_", with: " ") : nil
    }
    return reasons.last ?? text
  }
}

extension EventLoopFuture where Value: Sendable {
  /// The value, with every failure as a `RedisError` (our promises only fail with those).
  func redisValue() async throws(RedisError) -> Value {
    do {
      return try await get()
    } catch let error as RedisError {
      throw error
    } catch {
      throw .unavailable(reason: RedisConnection.describe(error))
    }
  }
}
