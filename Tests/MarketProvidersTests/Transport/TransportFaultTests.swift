import Foundation
import MarketCore
import MarketProviders
import MarketTesting
import Testing

/// Adapters over real HTTP: recorded fixtures served by a loopback upstream through the
/// shared transport, and every fault a real upstream shows, each ending in its error class.
@Suite struct TransportFaultTests {
  let aapl = Symbol("AAPL")
  let clock = SystemClock()

  func openBB(_ upstream: FakeUpstream, _ transport: HTTPTransport, timeout: Duration = .generousTimeout)
    -> HTTPQuoteProvider<OpenBBAdapter>
  {
    HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: upstream.baseURL), transport: transport, timeout: timeout, clock: clock)
  }

  // MARK: Fixtures over the wire

  @Test func servesTheRecordedOpenBBQuote() async throws {
    let response = try FakeUpstream.Response.fixture("openbb/quote_AAPL_fmp.json")
    try await withLoopback({ _ in response }) { upstream, transport in
      let quote = try await openBB(upstream, transport).quote(for: aapl)
      #expect(quote.price == 256.08)
      #expect(quote.changePercent == 4.3096)
      #expect(quote.source == "openbb")
      let request = try #require(upstream.requests.first)
      #expect(request.path == "/api/v1/equity/price/quote")
      #expect(request.query == ["symbol": "AAPL", "provider": "fmp"])
      #expect(request.headers["user-agent"]?.hasPrefix("lianyaohu/") == true)
      #expect(request.headers["accept-encoding"] == "gzip, deflate")
    }
  }

  @Test func servesTheRecordedFinnhubQuoteWithTheTokenInAHeader() async throws {
    let response = try FakeUpstream.Response.fixture("finnhub/quote_AAPL_2023-09-29.json")
    try await withLoopback({ _ in response }) { upstream, transport in
      let provider = HTTPQuoteProvider(
        adapter: FinnhubAdapter(token: Secret("fh-test-token"), origin: upstream.baseURL), transport: transport,
        timeout: .generousTimeout, clock: clock)
      let quote = try await provider.quote(for: aapl)
      #expect(quote.price > 0)
      #expect(quote.source == "finnhub")
      #expect(upstream.requests.first?.headers["x-finnhub-token"] == "fh-test-token")
    }
  }

  @Test func gzipBodyIsDecompressedAndParsed() async throws {
    let response = try FakeUpstream.Response.fixture("openbb/quote_AAPL_fmp.json", faults: [.gzip])
    try await withLoopback({ _ in response }) { upstream, transport in
      let quote = try await openBB(upstream, transport).quote(for: aapl)
      #expect(quote.price == 256.08)
    }
  }

  @Test func chunkedBodyIsParsed() async throws {
    let response = try FakeUpstream.Response.fixture(
      "openbb/quote_AAPL_fmp.json", faults: [.chunked, .slowBody(chunkSize: 100, interval: .milliseconds(1))])
    try await withLoopback({ _ in response }) { upstream, transport in
      let quote = try await openBB(upstream, transport).quote(for: aapl)
      #expect(quote.price == 256.08)
    }
  }

  @Test func connectionsAreReusedAcrossCalls() async throws {
    let response = try FakeUpstream.Response.fixture("openbb/quote_AAPL_fmp.json")
    try await withLoopback({ _ in response }) { upstream, transport in
      let provider = openBB(upstream, transport)
      for _ in 0..<3 { _ = try await provider.quote(for: aapl) }
      #expect(upstream.requests.count == 3)
      #expect(upstream.requests.allSatisfy { $0.headers["connection"] != "close" })
    }
  }

  @Test func aRedirectIsNotFollowedSoTheKeyStaysWithTheProvider() async throws {
    let elsewhere = try await FakeUpstream.start { _ in .json("{}") }
    let location = elsewhere.baseURL + "/api/v1/quote?symbol=AAPL"
    let redirect = FakeUpstream.Response(status: 302, headers: [("Location", location)], body: [])
    try await withLoopback({ _ in redirect }) { upstream, transport in
      let finnhub = HTTPQuoteProvider(
        adapter: FinnhubAdapter(token: Secret("fh-test-token"), origin: upstream.baseURL), transport: transport,
        timeout: .generousTimeout, clock: clock)
      #expect(await providerError { try await finnhub.quote(for: aapl) } == .upstreamStatus(302))
      #expect(upstream.requests.count == 1)
    }
    #expect(elsewhere.requests.isEmpty)
    try await elsewhere.shutdown()
  }

  // MARK: Slow upstreams

  @Test func slowHeadersTimeOut() async throws {
    let response = try FakeUpstream.Response.fixture(
      "openbb/quote_AAPL_fmp.json", faults: [.delayHeaders(.seconds(60))])
    try await withLoopback({ _ in response }) { upstream, transport in
      let provider = openBB(upstream, transport, timeout: .milliseconds(150))
      #expect(await providerError { try await provider.quote(for: aapl) } == .timeout)
    }
  }

  @Test func slowBodyTimesOutWithAShortReadTimeout() async throws {
    let response = try FakeUpstream.Response.fixture(
      "openbb/quote_AAPL_fmp.json", faults: [.slowBody(chunkSize: 64, interval: .milliseconds(400))])
    try await withLoopback(transport: .loopback(readTimeout: .milliseconds(100)), { _ in response }) {
      upstream, transport in
      let provider = openBB(upstream, transport, timeout: .seconds(5))
      #expect(await providerError { try await provider.quote(for: aapl) } == .timeout)
    }
  }

  @Test func slowBodySucceedsWithAGenerousReadTimeout() async throws {
    let response = try FakeUpstream.Response.fixture(
      "openbb/quote_AAPL_fmp.json", faults: [.slowBody(chunkSize: 256, interval: .milliseconds(20))])
    try await withLoopback(transport: .loopback(readTimeout: .generousTimeout), { _ in response }) { upstream, transport in
      let provider = openBB(upstream, transport, timeout: .seconds(5))
      let quote = try await provider.quote(for: aapl)
      #expect(quote.price == 256.08)
    }
  }

  // MARK: Broken connections and bodies

  @Test func connectionResetIsATransportError() async throws {
    let response = try FakeUpstream.Response.fixture("openbb/quote_AAPL_fmp.json", faults: [.resetConnection])
    try await withLoopback({ _ in response }) { upstream, transport in
      let error = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
      #expect(error == .transport("connection reset by peer"))
    }
  }

  @Test func truncatedBodyIsATransportError() async throws {
    let response = try FakeUpstream.Response.fixture("openbb/quote_AAPL_fmp.json", faults: [.truncateBody(bytes: 120)])
    try await withLoopback({ _ in response }) { upstream, transport in
      let error = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
      #expect(error == .transport("connection closed before the whole response arrived"))
    }
  }

  @Test func htmlWithStatus200IsAMalformedBody() async throws {
    let page = try FakeUpstream.Response.fixture(
      "yfinance/error_404_fc_yahoo_com_cookie_bootstrap.html", contentType: "text/html; charset=utf-8")
    try await withLoopback({ _ in page }) { upstream, transport in
      let error = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
      #expect(isMalformed(error))
      #expect(error?.isProviderFault == true)
    }
  }

  // MARK: Statuses

  @Test func status500IsAnUpstreamStatus() async throws {
    let response = try FakeUpstream.Response.fixture("synthetic/openbb_500_unexpected_error.json", status: 500)
    try await withLoopback({ _ in response }) { upstream, transport in
      let error = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
      #expect(error == .upstreamStatus(500))
      #expect(error?.isProviderFault == true)
    }
  }

  @Test func status429WithRetryAfterIsRateLimitedFor30Seconds() async throws {
    let openBBLimit = FakeUpstream.Response.json(#"{"detail": "Too Many Requests"}"#, status: 429)
    let finnhubLimit = try FakeUpstream.Response.fixture(
      "finnhub/error_429_try_again_later.txt", status: 429, contentType: "text/plain")
    for var limited in [openBBLimit, finnhubLimit] {
      limited.headers.append(("Retry-After", "30"))
      let response = limited
      try await withLoopback({ _ in response }) { upstream, transport in
        let openBBError = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
        #expect(openBBError == .rateLimited(retryAfter: .seconds(30)))
        let finnhub = HTTPQuoteProvider(
          adapter: FinnhubAdapter(token: Secret("fh-test-token"), origin: upstream.baseURL), transport: transport,
          timeout: .generousTimeout, clock: clock)
        let finnhubError = await providerError { try await finnhub.quote(for: aapl) }
        #expect(finnhubError == .rateLimited(retryAfter: .seconds(30)))
        #expect(finnhubError?.isProviderFault == false)
      }
    }
  }

  // MARK: Oversized bodies

  /// 50 MB announced up front: refused on the Content-Length, the body never read.
  @Test func oversizedBodyIsRefusedWithoutBeingBuffered() async throws {
    let body = try Fixture.bytes("openbb/quote_AAPL_fmp.json")
    let response = FakeUpstream.Response(
      headers: [("Content-Type", "application/json")], body: body, faults: [.oversized(bytes: 50 << 20)])
    try await withLoopback({ _ in response }) { upstream, transport in
      let error = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
      #expect(isMalformed(error))
      // The server stops writing once the client hangs up: far less than 50 MB left it, so
      // the client cannot have held it. (Not the process's RSS: other tests share the process.)
      try await Task.sleep(for: .milliseconds(50))
      #expect(upstream.bodyBytesSent < 25 << 20, "\(upstream.bodyBytesSent) bytes sent")
    }
  }

  /// 50 MB chunked, with no length to judge by: cut off while streaming, at the limit.
  @Test func oversizedChunkedBodyIsCutOffWhileStreaming() async throws {
    let body = try Fixture.bytes("openbb/quote_AAPL_fmp.json")
    let response = FakeUpstream.Response(
      headers: [("Content-Type", "application/json")], body: body, faults: [.chunked, .oversized(bytes: 50 << 20)])
    var configuration = HTTPTransport.Configuration.loopbackDefaults
    configuration.maximumBodyBytes = 1 << 20
    try await withLoopback(transport: configuration, { _ in response }) { upstream, transport in
      let error = await providerError { try await openBB(upstream, transport).quote(for: aapl) }
      #expect(isMalformed(error))
      try await Task.sleep(for: .milliseconds(50))
      #expect(upstream.bodyBytesSent < 25 << 20, "\(upstream.bodyBytesSent) bytes sent")
    }
  }

  @Test func upstreamThatIsNotListeningIsATransportError() async throws {
    // Start and stop a server to get a port nothing listens on.
    let upstream = try await FakeUpstream.start { _ in .json("{}") }
    let origin = upstream.baseURL
    try await upstream.shutdown()
    // The client retries a refused connection until its connect timeout, then reports why.
    var configuration = HTTPTransport.Configuration.loopbackDefaults
    configuration.connectTimeout = .milliseconds(500)
    let transport = HTTPTransport(configuration: configuration)
    let provider = HTTPQuoteProvider(
      adapter: OpenBBAdapter(origin: origin), transport: transport, timeout: .generousTimeout, clock: clock)
    let error = await providerError { try await provider.quote(for: aapl) }
    try await transport.shutdown()
    #expect(error == .transport("connection refused"))
  }
}
