import CompressNIO
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A real HTTP/1.1 server on 127.0.0.1 that plays a provider: it serves scripted responses
/// (recorded fixtures, usually) and injects the faults real upstreams show: slow headers, a
/// slow body, a reset connection, a truncated body, gzip, chunked encoding, oversized bodies.
public final class FakeUpstream: Sendable {
  /// A request as the server saw it.
  public struct Request: Sendable, Hashable {
    public var method: String
    public var uri: String
    public var headers: [String: String]

    /// The path without the query.
    public var path: Substring { uri.prefix { $0 != "?" } }

    /// Decoded query items (`+` and `%XX` decoded).
    public var query: [String: String] {
      guard let mark = uri.firstIndex(of: "?") else { return [:] }
      var items: [String: String] = [:]
      for pair in uri[uri.index(after: mark)...].split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard let name = parts.first else { continue }
        items[Self.decode(name)] = parts.count > 1 ? Self.decode(parts[1]) : ""
      }
      return items
    }

    static func decode(_ text: Substring) -> String {
      var bytes: [UInt8] = []
      var index = text.utf8.startIndex
      let utf8 = text.utf8
      while index < utf8.endIndex {
        let byte = utf8[index]
        if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
          let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
          let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
        {
          bytes.append(value)
          index = utf8.index(after: low)
        } else {
          bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
          index = utf8.index(after: index)
        }
      }
      return String(decoding: bytes, as: UTF8.self)
    }
  }

  /// Ways the response goes wrong on the wire.
  public enum Fault: Sendable, Hashable {
    /// Wait this long before sending anything.
    case delayHeaders(Duration)
    /// Send the body in chunks of `chunkSize` bytes, `interval` apart.
    case slowBody(chunkSize: Int, interval: Duration)
    /// Reset the connection (TCP RST) without answering.
    case resetConnection
    /// Promise the full Content-Length, send only `bytes`, then close.
    case truncateBody(bytes: Int)
    /// Gzip the body and say so in Content-Encoding.
    case gzip
    /// Chunked transfer encoding instead of Content-Length.
    case chunked
    /// Append filler to the body until it is `bytes` long (streamed, not held in memory).
    case oversized(bytes: Int)
  }

  public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var faults: [Fault]

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8], faults: [Fault] = []) {
      self.status = status
      self.headers = headers
      self.body = body
      self.faults = faults
    }

    public static func json(_ text: String, status: Int = 200, faults: [Fault] = []) -> Response {
      Response(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8), faults: faults)
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain", faults: [Fault] = [])
      -> Response
    {
      Response(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8), faults: faults)
    }
  }

  public typealias Handler = @Sendable (Request) -> Response

  private let channel: any Channel
  private let handler: Mutex<Handler>
  private let log = Mutex<[Request]>([])
  private let sentBodyBytes = Atomic<Int>(0)
  public let port: Int

  private init(channel: any Channel, handler: @escaping Handler) throws {
    self.channel = channel
    self.handler = Mutex(handler)
    guard let port = channel.localAddress?.port else { throw ChannelError.unknownLocalAddress }
    self.port = port
  }

  /// Starts a server on 127.0.0.1 on a free port.
  public static func start(_ handler: @escaping Handler) async throws -> FakeUpstream {
    let box = Mutex<FakeUpstream?>(nil)
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
          channel.pipeline.addHandler(FakeUpstreamHandler(server: { box.withLock { $0 } }))
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    let server = try FakeUpstream(channel: channel, handler: handler)
    box.withLock { $0 = server }
    return server
  }

  public var baseURL: String { "http://127.0.0.1:\(port)" }

  /// Every request received so far.
  public var requests: [Request] { log.withLock { $0 } }

  /// Response body bytes that reached the socket so far, over all connections: a client that
  /// refuses an oversized body shows here as far fewer bytes than the body had.
  public var bodyBytesSent: Int { sentBodyBytes.load(ordering: .relaxed) }

  fileprivate func countBodyBytes(_ count: Int) { sentBodyBytes.add(count, ordering: .relaxed) }

  public func respond(with handler: @escaping Handler) { self.handler.withLock { $0 = handler } }

  public func shutdown() async throws {
    try await channel.close()
  }

  fileprivate func response(for request: Request) -> Response {
    log.withLock { $0.append(request) }
    let handler = self.handler.withLock { $0 }
    return handler(request)
  }
}

/// One connection's handler: reads a request head, asks the server for the response, and
/// writes it with its faults.
private final class FakeUpstreamHandler: ChannelInboundHandler, @unchecked Sendable {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let server: @Sendable () -> FakeUpstream?
  private var head: HTTPRequestHead?

  init(server: @escaping @Sendable () -> FakeUpstream?) {
    self.server = server
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head): self.head = head
    case .body: break
    case .end:
      guard let head, let server = server() else { return }
      self.head = nil
      var headers: [String: String] = [:]
      for (name, value) in head.headers { headers[name.lowercased()] = value }
      let response = server.response(for: .init(method: head.method.rawValue, uri: head.uri, headers: headers))
      send(response, server: server, context: context, keepAlive: head.isKeepAlive)
    }
  }

  private func send(
    _ response: FakeUpstream.Response, server: FakeUpstream, context: ChannelHandlerContext, keepAlive: Bool
  ) {
    let loop = context.eventLoop
    let channel = context.channel
    var body = response.body
    var delay = TimeAmount.zero
    var chunked = false
    var truncateAt: Int?
    var slow: (Int, TimeAmount)?
    var oversized: Int?
    for fault in response.faults {
      switch fault {
      case .delayHeaders(let duration): delay = .nanoseconds(duration.nanosecondsForNIO)
      case .slowBody(let size, let interval): slow = (max(1, size), .nanoseconds(interval.nanosecondsForNIO))
      case .resetConnection:
        // SO_LINGER 0 makes close send an RST, as a crashed or overloaded upstream does.
        if let socket = channel as? any SocketOptionProvider {
          socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        } else {
          channel.close(promise: nil)
        }
        return
      case .truncateBody(let bytes): truncateAt = bytes
      case .gzip: body = Self.gzip(body)
      case .chunked: chunked = true
      case .oversized(let bytes): oversized = bytes
      }
    }
    var headers = HTTPHeaders(response.headers)
    if response.faults.contains(.gzip) { headers.replaceOrAdd(name: "Content-Encoding", value: "gzip") }
    let totalLength = max(body.count, oversized ?? 0)
    if chunked {
      headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
    } else {
      headers.replaceOrAdd(name: "Content-Length", value: String(totalLength))
    }
    headers.replaceOrAdd(name: "Connection", value: keepAlive && truncateAt == nil ? "keep-alive" : "close")
    let head = HTTPResponseHead(
      version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)

    // The body as segments, each after its delay; oversized filler is made as it is sent,
    // so the server never holds the whole body (a 50 MB body costs 64 KB here).
    var segments: [Segment] = []
    if let (size, interval) = slow {
      var offset = 0
      while offset < body.count {
        segments.append(.bytes(Array(body[offset..<min(offset + size, body.count)]), after: interval))
        offset += size
      }
    } else if !body.isEmpty {
      segments.append(.bytes(body, after: .zero))
    }
    if let oversized, oversized > body.count { segments.append(.filler(oversized - body.count)) }
    if let truncateAt {
      var kept: [Segment] = []
      var budget = truncateAt
      for segment in segments where budget > 0 {
        switch segment {
        case .bytes(let bytes, let wait): kept.append(.bytes(Array(bytes.prefix(budget)), after: wait))
        case .filler(let count): kept.append(.filler(min(count, budget)))
        }
        budget -= segment.count
      }
      segments = kept
    }
    let closeAfter = truncateAt != nil || !keepAlive
    let isTruncated = truncateAt != nil
    let plannedSegments = segments
    let sendAll: @Sendable () -> Void = {
      channel.write(HTTPServerResponsePart.head(head), promise: nil)
      Self.write(plannedSegments[...], channel: channel, loop: loop, counting: server) {
        if isTruncated {
          channel.flush()
          channel.close(promise: nil)
          return
        }
        channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
          if closeAfter { channel.close(promise: nil) }
        }
      }
    }
    if delay > .zero {
      loop.scheduleTask(in: delay) { sendAll() }
    } else {
      sendAll()
    }
  }

  /// A part of a response body: bytes sent after a pause, or filler made while sending.
  private enum Segment: Sendable {
    case bytes([UInt8], after: TimeAmount)
    case filler(Int)

    var count: Int {
      switch self {
      case .bytes(let bytes, _): bytes.count
      case .filler(let count): count
      }
    }
  }

  private static let fillerBlock = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 16)

  /// Writes segments one write at a time, each after the previous one reached the socket, and
  /// stops as soon as the peer is gone (a client that refuses a body closes the connection).
  private static func write(
    _ segments: ArraySlice<Segment>, channel: any Channel, loop: any EventLoop, counting server: FakeUpstream,
    then done: @escaping @Sendable () -> Void
  ) {
    guard let segment = segments.first else {
      done()
      return
    }
    let piece: [UInt8]
    let wait: TimeAmount
    var rest = segments.dropFirst()
    switch segment {
    case .bytes(let bytes, let after):
      piece = bytes
      wait = after
    case .filler(let count):
      piece = count >= fillerBlock.count ? fillerBlock : Array(fillerBlock.prefix(count))
      wait = .zero
      if count > piece.count {
        rest = [.filler(count - piece.count)] + rest
      }
    }
    let remaining = rest
    let send: @Sendable () -> Void = {
      guard channel.isActive else { return }
      let buffer = channel.allocator.buffer(bytes: piece)
      channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer))).whenComplete { result in
        guard case .success = result else { return }
        server.countBodyBytes(piece.count)
        write(remaining, channel: channel, loop: loop, counting: server, then: done)
      }
    }
    if wait > .zero { loop.scheduleTask(in: wait) { send() } } else { send() }
  }

  private static func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var input = ByteBufferAllocator().buffer(bytes: bytes)
    guard let compressed = try? input.compress(with: .gzip()) else { return bytes }
    return Array(compressed.readableBytesView)
  }
}

extension Duration {
  fileprivate var nanosecondsForNIO: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }
}
