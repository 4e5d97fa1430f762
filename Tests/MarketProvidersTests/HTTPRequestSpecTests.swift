import Foundation
import MarketCore
import Testing

@testable import MarketProviders

@Suite struct HTTPRequestSpecTests {
  @Test func encodesPathSegmentsAndQueryValues() {
    #expect(HTTPRequestSpec.encodePathSegment("^VIX") == "%5EVIX")
    #expect(HTTPRequestSpec.encodePathSegment("X:BTCUSD") == "X:BTCUSD")
    #expect(HTTPRequestSpec.encodePathSegment("a/b?c#d%") == "a%2Fb%3Fc%23d%25")
    let spec = HTTPRequestSpec(
      origin: "https://example.test", path: "/q",
      queryItems: [
        HTTPQueryItem(name: "s", value: "a b&c=d+e"), HTTPQueryItem(name: "flag", value: nil),
        HTTPQueryItem(name: "list", value: "A,B"),
      ],
      symbols: [Symbol("AAPL")])
    #expect(spec.target == "/q?s=a%20b%26c%3Dd%2Be&flag&list=A,B")
  }

  @Test func credentialNamesAreRedactedEvenWhenNotFlagged() {
    let spec = HTTPRequestSpec(
      origin: "https://example.test", path: "/q",
      queryItems: [HTTPQueryItem(name: "apiKey", value: "k-123456"), HTTPQueryItem(name: "symbol", value: "AAPL")],
      headers: [HTTPHeader(name: "Cookie", value: "session=abcdef")], symbols: [Symbol("AAPL")])
    #expect(spec.redactedDescription == "GET https://example.test/q?apiKey=<redacted>&symbol=AAPL [Cookie: <redacted>]")
    #expect(spec.url.contains("k-123456"))
  }

  @Test func flaggedValueIsScrubbedWhereverElseItAppears() {
    let spec = HTTPRequestSpec(
      origin: "https://example.test", path: "/tenant/k-SECRET-9/q",
      queryItems: [HTTPQueryItem(name: "auth", value: "k-SECRET-9", isSensitive: true)], symbols: [Symbol("AAPL")])
    #expect(!spec.redactedDescription.contains("k-SECRET-9"))
    #expect(!"\(spec)".contains("k-SECRET-9"))
    var dumped = ""
    dump(spec, to: &dumped)
    #expect(!dumped.contains("k-SECRET-9"))
  }

  @Test func secretsNeverPrint() {
    let secret = Secret("p@ss-w0rd")
    #expect("\(secret)" == "<redacted>")
    #expect(String(reflecting: secret) == "<redacted>")
    var dumped = ""
    dump(FinnhubAdapter(token: secret), to: &dumped)
    #expect(!dumped.contains("p@ss-w0rd"))
    #expect(secret.revealedValue == "p@ss-w0rd")
  }

  @Test func snapshotDescriptionOmitsBodyAndHeaders() {
    let response = HTTPResponseSnapshot(
      status: 200, headers: [HTTPHeader(name: "Set-Cookie", value: "A3=secret")], body: Array("token=abc".utf8),
      symbols: [Symbol("AAPL")], receivedAt: Date(timeIntervalSince1970: 0), source: "yahoo")
    #expect(response.description == "HTTP 200 from yahoo, 9 bytes for AAPL")
    #expect(response.header("set-cookie") == "A3=secret")
  }

  @Test func aBodyIsSentButOnlyItsSizeIsPrinted() {
    let body = Array(#"{"variables": {"symbol": "SHOP", "token": "t0k3n-value"}}"#.utf8)
    let request = HTTPRequestSpec(
      method: .post, origin: "https://app-money.tmx.com", path: "/graphql",
      headers: [HTTPHeader(name: "Content-Type", value: "application/json")], body: body, symbols: [Symbol("SHOP.TO")])
    #expect(request.body == body)
    #expect(
      request.redactedDescription
        == "POST https://app-money.tmx.com/graphql [Content-Type: application/json] (body of \(body.count) bytes)")
    #expect(!"\(request)".contains("t0k3n"))
    #expect(!String(reflecting: request).contains("t0k3n"))
    #expect(HTTPRequestSpec(origin: "https://x", path: "/", symbols: []).body == nil)
  }
}
