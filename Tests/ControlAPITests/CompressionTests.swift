import CompressNIO
import ControlAPI
import ControlAPIClient
import Foundation
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
    typealias Middleware = ResponseCompression
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

@Suite("JSON writer")
struct JSONWriterTests {
  @Test("a hand-written quote is the same document JSONEncoder writes")
  func sameAsEncoder() throws {
    let quotes = [
      Quote(
        symbol: Symbol("BRK-B"), price: 512.25, change: -1, changePercent: -0.195, open: 513, high: 514.5, low: 511,
        previousClose: 513.25, volume: 3_100_000, currency: "US\"D\n", asOf: Date(timeIntervalSince1970: 1_764_374_399.75),
        receivedAt: Date(timeIntervalSince1970: 951_782_400), source: "sim-alpha", isSimulated: true),
      Quote(
        symbol: Symbol("^VIX"), price: 0.000012, asOf: Date(timeIntervalSince1970: 0),
        receivedAt: Date(timeIntervalSince1970: 4_102_444_800),
        source: "p", isSimulated: false),
    ]
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    for quote in quotes {
      let body = QuoteBody(ServedQuote(quote: quote, isStale: true, age: .milliseconds(1500), origin: .memory))
      var writer = JSONWriter()
      body.write(to: &writer)
      let written = try JSONSerialization.jsonObject(with: Data(writer.buffer.readableBytesView)) as? NSDictionary
      let encoded = try JSONSerialization.jsonObject(with: encoder.encode(body)) as? NSDictionary
      #expect(written == encoded)
      #expect(String(buffer: writer.buffer).contains(#""as_of":""#))
    }
  }

  @Test("numbers read back as exactly themselves, in Swift's shortest form where it has one")
  func numbers() throws {
    var generator = SystemRandomNumberGenerator()
    var values: [Double] = [
      0, -0.0, 1, -1, 0.1, 0.3, 0.1 + 0.2, 231.97, -0.195, 0.000012, 1e-9, 123_456.789, 99_999_999.999_999_99,
      8.9e15, 9e15, 1e20, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 187.230_000_01,
    ]
    for _ in 0..<5_000 {
      let cents = Double(Int64.random(in: -10_000_000...10_000_000, using: &generator)) / 100
      values.append(cents)
      values.append(Double.random(in: -1e6...1e6, using: &generator))
    }
    for value in values {
      var writer = JSONWriter()
      writer.value(value)
      let text = String(buffer: writer.takeBuffer())
      #expect(Double(text) == value, "\(value) was written \(text)")
      // Fewer than nine decimals and under 9e15: the same digits as Swift's shortest form.
      if let shortest = Double(value.description), shortest == value, abs(value) < 1e15,
        !value.description.contains("e"), (value.description.split(separator: ".").last?.count ?? 0) <= 8
      {
        let expected = value == value.rounded() ? String(Int64(value)) : value.description
        #expect(text == expected, "\(value)")
      }
    }
  }

  @Test("civil dates around leap years and eras")
  func civil() {
    #expect(UTCDays.civil(days: 0) == (1970, 1, 1))
    #expect(UTCDays.civil(days: 11_016) == (2000, 2, 29))
    #expect(UTCDays.civil(days: -1) == (1969, 12, 31))
    #expect(UTCDays.civil(days: 20_421) == (2025, 11, 29))
  }
}
