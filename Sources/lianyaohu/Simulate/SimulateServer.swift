import Foundation
import MarketCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// `lianyaohu simulate`'s HTTP server: the embedded market behind OpenBB's quote route, on
/// SwiftNIO (HTTP/1.1, keep-alive), with the faults of ``SimulatedOpenBB``.
///
/// Tests start it in-process on port 0 with ``start(host:port:route:)``; the command runs it
/// as a service until SIGINT or SIGTERM.
final class SimulateServer: Sendable {
  private let channel: any Channel
  private let connections: ConnectionSet
  /// The port it listens on (the real one when started on port 0).
  let port: Int
  let host: String

  private init(channel: any Channel, connections: ConnectionSet, host: String) throws {
    self.channel = channel
    self.connections = connections
    self.host = host
    guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
    self.port = port
  }

  /// Binds and starts answering; port 0 picks a free port.
  static func start(
    host: String, port: Int, route: SimulatedOpenBB,
    group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  ) async throws -> SimulateServer {
    let connections = ConnectionSet()
    let channel = try await ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 512)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        connections.insert(channel)
        channel.closeFuture.whenComplete { _ in connections.remove(channel) }
        return channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          try channel.pipeline.syncOperations.addHandler(SimulateConnectionHandler(route: route))
        }
      }
      .bind(host: host, port: port).get()
    return try SimulateServer(channel: channel, connections: connections, host: host)
  }

  /// The base URL to give an ``OpenBBAdapter``.
  var origin: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

  /// Stops accepting, closes every open connection, and returns once the listener is closed.
  func shutdown() async {
    try? await channel.close()
    for connection in connections.all { try? await connection.close() }
  }

  /// Returns when the listener has closed (after ``shutdown()``).
  func waitUntilClosed() async {
    try? await channel.closeFuture.get()
  }
}

/// Open connections, so shutdown can close them instead of leaving keep-alive sockets.
private final class ConnectionSet: Sendable {
  private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

  func insert(_ channel: any Channel) { channels.withLock { $0[ObjectIdentifier(channel)] = channel } }
  func remove(_ channel: any Channel) { channels.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) } }
  var all: [any Channel] { channels.withLock { Array($0.values) } }
}

/// One connection: reads a request, asks the route for a plan, carries it out. Runs only on
/// its channel's event loop.
private final class SimulateConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  /// How long a "timed out" request is held before the connection is dropped.
  static let hangLimit = TimeAmount.seconds(120)

  private let route: SimulatedOpenBB
  private var head: HTTPRequestHead?

  init(route: SimulatedOpenBB) {
    self.route = route
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head): self.head = head
    case .body: break
    case .end:
      guard let head else { return }
      self.head = nil
      carryOut(route.plan(method: head.method.rawValue, uri: head.uri), context: context, keepAlive: head.isKeepAlive)
    }
  }

  private func carryOut(_ plan: SimulatedOpenBB.Plan, context: ChannelHandlerContext, keepAlive: Bool) {
    let loop = context.eventLoop.assumeIsolated()
    switch plan {
    case .hang:
      let channel = context.channel
      loop.scheduleTask(in: Self.hangLimit) { channel.close(promise: nil) }
    case .reset:
      let channel = context.channel
      if let socket = channel as? any SocketOptionProvider {
        // SO_LINGER 0: close sends an RST, as a dead server's host does.
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
      } else {
        channel.close(promise: nil)
      }
    case .reply(let reply, let delay):
      if delay <= .zero {
        write(reply, context: context, keepAlive: keepAlive)
      } else {
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        loop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
          write(reply, context: context, keepAlive: keepAlive)
        }
      }
    }
  }

  private func write(_ reply: SimulatedOpenBB.Reply, context: ChannelHandlerContext, keepAlive: Bool) {
    guard context.channel.isActive else { return }
    var headers = HTTPHeaders()
    headers.reserveCapacity(6)
    headers.add(name: "Server", value: "lianyaohu-simulate")
    if let contentType = reply.contentType { headers.add(name: "Content-Type", value: contentType) }
    if let seconds = reply.retryAfterSeconds { headers.add(name: "Retry-After", value: String(seconds)) }
    if reply.status != 204 { headers.add(name: "Content-Length", value: String(reply.body.count)) }
    headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    if !reply.body.isEmpty {
      context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
    }
    if keepAlive {
      context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    } else {
      let channel = context.channel
      context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
        channel.close(promise: nil)
      }
    }
  }
}
