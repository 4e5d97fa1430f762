import CompressNIO
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Gzips response bodies of known length at or above a threshold when the client accepts gzip.
/// Streams (unknown length, such as the live stream) pass through untouched.
struct ResponseCompression: Sendable {
  let threshold: Int

  func apply(to response: Response, for request: Request) async throws -> Response {
    var response = response
    guard let length = response.body.contentLength, length >= threshold,
      response.headers[.contentEncoding] == nil,
      let accepted = request.headers[.acceptEncoding], Self.acceptsGzip(accepted)
    else { return response }
    let collector = BodyCollector()
    try await response.body.write(collector)
    var plain = collector.collected
    let compressed = try plain.compress(with: .gzip())
    guard compressed.readableBytes < length else { return response.withBody(collector.collected) }
    response.headers[.contentEncoding] = "gzip"
    response.headers[.contentLength] = nil
    response.headers.append(HTTPField(name: .vary, value: "Accept-Encoding"))
    response.body = ResponseBody(byteBuffer: compressed)
    return response
  }

  /// Whether an `Accept-Encoding` value allows gzip (explicitly or by `*`) with a non-zero q.
  static func acceptsGzip(_ header: String) -> Bool {
    var wildcard = false
    for item in header.split(separator: ",") {
      let parts = item.split(separator: ";").map { $0.trimmingSpaces() }
      guard let coding = parts.first?.lowercased() else { continue }
      var quality = 1.0
      for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("q=") {
        quality = Double(parameter.dropFirst(2)) ?? 0
      }
      if coding == "gzip" || coding == "x-gzip" { return quality > 0 }
      if coding == "*" { wildcard = quality > 0 }
    }
    return wildcard
  }
}

extension Response {
  fileprivate func withBody(_ buffer: ByteBuffer) -> Response {
    var response = self
    response.body = ResponseBody(byteBuffer: buffer)
    return response
  }
}

/// A body writer that keeps what is written, to compress it whole.
private struct BodyCollector: ResponseBodyWriter {
  private let buffer = SharedBuffer()

  var collected: ByteBuffer { buffer.value.withLock { $0 } }

  mutating func write(_ part: ByteBuffer) async throws {
    var part = part
    _ = buffer.value.withLock { $0.writeBuffer(&part) }
  }

  consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

private final class SharedBuffer: Sendable {
  let value = Mutex(ByteBuffer())
}
