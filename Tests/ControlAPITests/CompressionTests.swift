import CompressNIO
import ControlAPI
import Hummingbird
import HummingbirdTesting
import MarketCore
import MarketTesting
import NIOCore
import Testing

@testable import ControlAPI

@Suite("Compression")
struct CompressionTests {
  @Test("large bodies are gzipped when accepted; small ones and refusals are not")
  func gzip() async throws {
    let harness = APIHarness()
    try await harness.test { client in
      let plain = try await client.get("/v1/immortals")
      #expect(plain.headers[.contentEncoding] == nil)
      #expect(plain.body.readableBytes >= 1024)

      let compressed = try await client.get("/v1/immortals", headers: [.acceptEncoding: "br, gzip;q=0.8"])
      #expect(compressed.headers[.contentEncoding] == "gzip")
      #expect(compressed.headers[.vary] == "Accept-Encoding")
      #expect(compressed.body.readableBytes < plain.body.readableBytes)
      var body = compressed.body
      var inflated = try body.decompress(with: .gzip())
      let inflatedText = inflated.readString(length: inflated.readableBytes)
      // Same document; quote ages may differ between the two reads, so compare the shape.
      #expect(inflatedText?.count ?? 0 > 1024)
      #expect(inflatedText?.hasPrefix(#"{"immortals":[{"id":"lu-dongbin""#) == true)

      let small = try await client.get("/healthz", headers: [.acceptEncoding: "gzip"])
      #expect(small.headers[.contentEncoding] == nil)
      let refused = try await client.get("/v1/immortals", headers: [.acceptEncoding: "gzip;q=0"])
      #expect(refused.headers[.contentEncoding] == nil)
    }
  }

  @Test("Accept-Encoding parsing")
  func acceptEncoding() {
    typealias Middleware = CompressionMiddleware<APIRequestContext>
    #expect(Middleware.acceptsGzip("gzip"))
    #expect(Middleware.acceptsGzip("deflate, GZIP ; q=0.5"))
    #expect(Middleware.acceptsGzip("*"))
    #expect(Middleware.acceptsGzip("x-gzip"))
    #expect(!Middleware.acceptsGzip("gzip;q=0"))
    #expect(!Middleware.acceptsGzip("br, deflate"))
    #expect(!Middleware.acceptsGzip("*;q=0"))
    #expect(!Middleware.acceptsGzip("identity"))
  }
}
