import Foundation
import MarketCore
import Testing

@testable import MarketProviders

/// The history and profile parsers against bodies no provider should send but any might: each
/// answers a typed error (`malformedBody` for a 200 that is not its shape), never a crash and
/// never an empty answer passed off as "no bars", and no error text shows the adapter's key.
///
/// Parsing megabyte bodies takes the thread for a while; the loops over them yield between
/// bodies so the transport tests' timeouts, running beside them on the same small pool, fire
/// on time.
@Suite struct HostileHistoryBodyTests {
  static let key = HostileBodyTests.key

  /// Every adapter with bars, each with a query it serves.
  static let historyAdapters: [(adapter: any HTTPHistoryAdapter, query: HistoryQuery)] = [
    (
      OpenBBAdapter(backend: "fmp", credentials: .init(username: "openbb", password: Secret(key))),
      historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    ),
    (OpenBBAdapter(backend: "yfinance"), historyQuery("BTC-USD", .oneHour, from: "2023-01-09", to: "2023-01-10")),
    (YahooFinanceAdapter(), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")),
    (YahooFinanceAdapter(), historyQuery("AAPL", .oneMinute, from: "2023-01-09", to: "2023-01-10")),
    (StooqAdapter(apiKey: Secret(key)), historyQuery("AAPL", .oneWeek, from: "2023-01-01", to: "2024-01-01")),
    (AlphaVantageAdapter(apiKey: Secret(key)), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")),
    (FinancialModelingPrepAdapter(apiKey: Secret(key)), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")),
    (
      FinancialModelingPrepAdapter(apiKey: Secret(key), endpoint: .legacyV3),
      historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    ),
    (PolygonAdapter(apiKey: Secret(key)), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")),
    (CboeAdapter(), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")),
  ]

  /// Every adapter with profiles, each with symbols it serves.
  static let profileAdapters: [(adapter: any HTTPProfileAdapter, symbols: [Symbol])] = [
    (
      OpenBBAdapter(backend: "fmp", credentials: .init(username: "openbb", password: Secret(key))),
      [Symbol("AAPL"), Symbol("MSFT")]
    ),
    (YahooFinanceAdapter(session: .init(crumb: Secret(key), cookie: Secret(key))), [Symbol("AAPL")]),
    (AlphaVantageAdapter(apiKey: Secret(key)), [Symbol("AAPL")]),
    (FinancialModelingPrepAdapter(apiKey: Secret(key)), [Symbol("AAPL")]),
    (FinancialModelingPrepAdapter(apiKey: Secret(key), endpoint: .legacyV3), [Symbol("AAPL"), Symbol("MSFT")]),
    (PolygonAdapter(apiKey: Secret(key)), [Symbol("AAPL")]),
    (FinnhubAdapter(token: Secret(key)), [Symbol("AAPL")]),
  ]

  /// Statuses a failed answer comes with, each with a body that echoes the key as a careless
  /// upstream would.
  static let echoingFailures: [(status: Int, body: String)] = [
    (200, #"{"error": "bad request for apikey=\#(key)"}"#),
    (400, #"{"detail": "Unexpected error with key \#(key)"}"#),
    (401, #"{"message": "Invalid API key \#(key)", "Error Message": "Invalid API key \#(key)"}"#),
    (403, "<html><body>forbidden: \(key)</body></html>"),
    (404, "not found \(key)"),
    (429, "API limit reached for \(key)"),
    (500, "internal error handling \(key)"),
    (503, #"{"status": "ERROR", "error": "overloaded \#(key)"}"#),
  ]

  /// Every printed form of `error` is free of control characters and, when `adapter` was
  /// given the key, of the key. (A keyless adapter cannot know which text is someone's key.)
  func expectHidden(
    _ error: ProviderError?, from adapter: any HTTPQuoteAdapter, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let error else { return }
    if Self.holdsKey(adapter) {
      for text in [String(describing: error), String(reflecting: error)] {
        #expect(!text.contains(Self.key), "\(label) leaks the key: \(text)", sourceLocation: sourceLocation)
      }
    }
    expectSafe(error, hiding: "\u{0}", sourceLocation: sourceLocation)
  }

  static func holdsKey(_ adapter: any HTTPQuoteAdapter) -> Bool {
    switch adapter {
    case let openBB as OpenBBAdapter: openBB.credentials != nil
    case let yahoo as YahooFinanceAdapter: yahoo.session != nil
    case let stooq as StooqAdapter: stooq.apiKey != nil
    case is CboeAdapter, is TMXAdapter: false
    default: true
    }
  }

  func response(_ body: [UInt8], status: Int = 200, symbols: [Symbol], source: ProviderID) -> HTTPResponseSnapshot {
    HTTPResponseSnapshot(
      status: status, body: body, symbols: symbols, receivedAt: utc("2025-12-22T18:00:00Z"), source: source)
  }

  @Test func genericHostileBodiesAreMalformedBars() async {
    for (adapter, query) in Self.historyAdapters {
      for (name, body) in HostileBodyTests.genericBodies {
        await Task.yield()
        do {
          let answer = try adapter.parseHistory(response(body, symbols: [query.symbol], source: adapter.id), for: query)
          Issue.record("\(adapter.id) \(query) on \(name): \(answer.bars.count) bars instead of an error")
        } catch {
          #expect(isMalformed(error), "\(adapter.id) \(query) on \(name): \(error)")
          expectHidden(error, from: adapter, "\(adapter.id) on \(name)")
        }
      }
    }
  }

  @Test func genericHostileBodiesAreMalformedProfiles() async {
    for (adapter, symbols) in Self.profileAdapters {
      for (name, body) in HostileBodyTests.genericBodies {
        await Task.yield()
        do {
          let results = try adapter.parseProfiles(response(body, symbols: symbols, source: adapter.id))
          for symbol in symbols {
            let error = profileFailure(results[symbol])
            #expect(isMalformed(error), "\(adapter.id) \(symbol) on \(name): \(String(describing: results[symbol]))")
            expectHidden(error, from: adapter, "\(adapter.id) on \(name)")
          }
        } catch {
          #expect(isMalformed(error), "\(adapter.id) on \(name): \(error)")
          expectHidden(error, from: adapter, "\(adapter.id) on \(name)")
        }
      }
    }
  }

  @Test func failuresThatEchoTheKeyNeverShowIt() {
    for (status, body) in Self.echoingFailures {
      for (adapter, query) in Self.historyAdapters {
        let snapshot = response(Array(body.utf8), status: status, symbols: [query.symbol], source: adapter.id)
        do {
          let answer = try adapter.parseHistory(snapshot, for: query)
          Issue.record("\(adapter.id) answered \(answer.bars.count) bars to HTTP \(status) \(body)")
        } catch {
          expectHidden(error, from: adapter, "\(adapter.id) bars, HTTP \(status)")
        }
      }
      for (adapter, symbols) in Self.profileAdapters {
        let snapshot = response(Array(body.utf8), status: status, symbols: symbols, source: adapter.id)
        do {
          let results = try adapter.parseProfiles(snapshot)
          for symbol in symbols {
            let error = profileFailure(results[symbol])
            #expect(error != nil, "\(adapter.id) made a profile of HTTP \(status) \(body)")
            expectHidden(error, from: adapter, "\(adapter.id) profile, HTTP \(status)")
          }
        } catch {
          expectHidden(error, from: adapter, "\(adapter.id) profiles, HTTP \(status)")
        }
      }
    }
  }

  /// Each provider's own bar shape with `PRICE` in every price field: impossible values are
  /// skipped or passed on for the core to judge, never turned into a crash or a non-finite bar.
  static let barTemplates: [(adapter: any HTTPHistoryAdapter, query: HistoryQuery, body: String)] = [
    (
      OpenBBAdapter(), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      #"{"results": [{"date": "2023-01-03", "open": PRICE, "high": PRICE, "low": PRICE, "close": PRICE, "volume": PRICE}], "provider": "fmp"}"#
    ),
    (
      YahooFinanceAdapter(), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      #"{"chart": {"result": [{"meta": {"currency": "USD", "priceHint": PRICE, "gmtoffset": PRICE}, "timestamp": [1672756200], "indicators": {"quote": [{"open": [PRICE], "high": [PRICE], "low": [PRICE], "close": [PRICE], "volume": [PRICE]}], "adjclose": [{"adjclose": [PRICE]}]}}], "error": null}}"#
    ),
    (
      AlphaVantageAdapter(apiKey: Secret(key)), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      #"{"Time Series (Daily)": {"2023-01-03": {"1. open": PRICE, "2. high": PRICE, "3. low": PRICE, "4. close": PRICE, "5. volume": PRICE}}}"#
    ),
    (
      FinancialModelingPrepAdapter(apiKey: Secret(key)), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      #"[{"symbol": "AAPL", "date": "2023-01-03", "open": PRICE, "high": PRICE, "low": PRICE, "close": PRICE, "volume": PRICE}]"#
    ),
    (
      PolygonAdapter(apiKey: Secret(key)), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      #"{"resultsCount": 1, "status": "OK", "results": [{"t": 1672722000000, "o": PRICE, "h": PRICE, "l": PRICE, "c": PRICE, "v": PRICE}]}"#
    ),
    (
      CboeAdapter(), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      #"{"data": [{"date": "2023-01-03", "open": PRICE, "high": PRICE, "low": PRICE, "close": PRICE, "volume": PRICE}]}"#
    ),
    (
      StooqAdapter(), historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01"),
      "Date,Open,High,Low,Close,Volume\r\n2023-01-03,PRICE,PRICE,PRICE,PRICE,PRICE\r\n"
    ),
  ]

  @Test func impossiblePricesNeverCrashOrBecomeNonFiniteBars() {
    for (adapter, query, template) in Self.barTemplates {
      let prices = adapter is StooqAdapter ? HostileBodyTests.badCSVPrices : HostileBodyTests.badPrices
      for price in prices {
        let body = Array(template.replacingAll("PRICE", with: price).utf8)
        do {
          let answer = try adapter.parseHistory(response(body, symbols: [query.symbol], source: adapter.id), for: query)
          expectValidShape(answer, in: query, "\(adapter.id) price \(price)")
        } catch {
          expectHidden(error, from: adapter, "\(adapter.id) price \(price)")
        }
      }
    }
  }

  @Test func barTemplatesAreValidWithAGoodPrice() throws {
    // Guards the test above: the same shapes with a real price do make a bar.
    for (adapter, query, template) in Self.barTemplates {
      let body = Array(template.replacingAll("PRICE", with: "2").utf8)
      let answer = try adapter.parseHistory(response(body, symbols: [query.symbol], source: adapter.id), for: query)
      // Yahoo's template carries an adjusted close too.
      let adjusted: Double? = adapter is YahooFinanceAdapter ? 2 : nil
      let expected = Bar(start: day("2023-01-03"), open: 2, high: 2, low: 2, close: 2, adjustedClose: adjusted, volume: 2)
      #expect(answer.bars == [expected], "\(adapter.id)")
    }
  }

  @Test func impossibleDatesAreMalformed() {
    let cases: [(any HTTPHistoryAdapter, String)] = [
      (OpenBBAdapter(), #"{"results": [{"date": "2023-02-30", "open": 1, "high": 1, "low": 1, "close": 1}]}"#),
      (AlphaVantageAdapter(apiKey: Secret(Self.key)), #"{"Time Series (Daily)": {"2023-13-01": {"1. open": "1"}}}"#),
      (FinancialModelingPrepAdapter(apiKey: Secret(Self.key)), #"[{"date": 20230103, "open": 1}]"#),
      (PolygonAdapter(apiKey: Secret(Self.key)), #"{"resultsCount": 1, "results": [{"t": 1672722000000000, "o": 1}]}"#),
      (CboeAdapter(), #"{"data": [{"date": "yesterday", "open": 1}]}"#),
      (StooqAdapter(), "Date,Open,High,Low,Close\r\n2023-01-32,1,1,1,1\r\n"),
    ]
    let query = historyQuery("AAPL", from: "2023-01-01", to: "2023-02-01")
    for (adapter, body) in cases {
      let error = try? providerErrorOf {
        try adapter.parseHistory(response(Array(body.utf8), symbols: [query.symbol], source: adapter.id), for: query)
      }
      #expect(isMalformed(error ?? nil), "\(adapter.id): \(String(describing: error))")
    }
  }

  /// What the core relies on of any answer: bars inside the window, strictly increasing,
  /// every number finite (whether the bar is possible is the core's to judge).
  func expectValidShape(
    _ answer: HistoryAnswer, in query: HistoryQuery, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var previous: Int64?
    for bar in answer.bars {
      #expect(bar.start >= query.from && bar.start < query.to, "\(label)", sourceLocation: sourceLocation)
      if let previous { #expect(bar.start > previous, "\(label)", sourceLocation: sourceLocation) }
      let values = [bar.open, bar.high, bar.low, bar.close] + [bar.adjustedClose, bar.volume].compactMap { $0 }
      let finite = values.allSatisfy(\.isFinite)
      #expect(finite, "\(label): \(bar)", sourceLocation: sourceLocation)
      previous = bar.start
    }
  }
}
