import MarketCore
import Testing

@testable import MarketProviders

/// Error texts as providers (and OpenBB, relaying them) really write them, read by their words.
@Suite struct ErrorMessageTests {
  typealias Meaning = ErrorMessage.Meaning

  /// Each text is verbatim from the source named beside it (keys masked).
  static let texts: [(String, Meaning?, String)] = [
    // FMP's rate limit asks to upgrade the plan; it is still a rate limit.
    (
      "Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/",
      .rateLimited(retryAfter: nil), "fmp/error_429_limit_reach.json"
    ),
    // openbb_fmp raises UnauthorizedError for any message that says "upgrade", so the
    // rate limit reaches openbb-api's `detail` as "Unauthorized FMP request -> Limit Reach".
    (
      "Unauthorized FMP request -> Limit Reach . Please upgrade your plan or visit our documentation for more details at https://site.financialmodelingprep.com/",
      .rateLimited(retryAfter: nil), "openbb_fmp utils/helpers.py response_callback"
    ),
    (
      "FMP Error Message -> Status code: 401 -> Invalid API KEY. Feel free to create a Free API Key or visit https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for more information.",
      .unauthorized, "openbb_fmp helpers + synthetic/fmp_401_invalid_api_key.json"
    ),
    (
      "Legacy Endpoint : Due to Legacy endpoints being no longer supported - This endpoint is only available for legacy users who have valid subscriptions prior August 31, 2025. Please visit our documentation page https://site.financialmodelingprep.com/developer/docs for our current APIs.",
      .unauthorized, "github.com/tradermonty/claude-trading-skills/issues/58"
    ),
    (
      "Premium Query Parameter: 'symbol'. This value set for 'symbol' is not available under your current subscription please visit our subscription page to upgrade your plan at https://site.financialmodelingprep.com/developer/docs/pricing",
      .planLimit, "synthetic/fmp_402_premium_symbol.json"
    ),
    (
      "Unauthorized FMP API request. Please check your FMP credentials and subscription access.",
      .unauthorized, "openbb-core UnauthorizedError default text"
    ),
    (
      "Missing credential 'fmp_api_key'. Check https://financialmodelingprep.com to get it. Refer to the documentation for setting provider credentials at https://docs.openbb.co/platform/settings/user_settings/api_keys.",
      .unauthorized, "openbb-core QueryExecutor.filter_credentials"
    ),
    (
      "Error in Polygon request -> You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing",
      .rateLimited(retryAfter: nil), "openbb_polygon helpers + synthetic/polygon_429_max_requests.json"
    ),
    (
      "You are not entitled to this data. Please upgrade your plan at https://polygon.io/pricing", .planLimit,
      "polygon/error_NOT_AUTHORIZED_plan_2024-01-18.json"
    ),
    ("Error in Polygon request -> Unknown API Key", .unauthorized, "openbb_polygon helpers"),
    ("API Key was not provided", .unauthorized, "Polygon docs, missing key"),
    (
      "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.",
      .rateLimited(retryAfter: nil), "alpha_vantage/error_note_rate_limit_2018.json"
    ),
    (
      "Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.",
      .quotaExhausted, "synthetic/alpha_vantage_information_daily_limit.json"
    ),
    (
      "Please consider spreading out your free API requests more sparingly (1 request per second).",
      .rateLimited(retryAfter: nil), "Alpha Vantage burst notice"
    ),
    (
      "The **demo** API key is for demo purposes only. Please claim your free API key at (https://www.alphavantage.co/support/#api-key) to explore our full API offerings.",
      .unauthorized, "Alpha Vantage demo key notice"
    ),
    (
      "Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints",
      .planLimit, "Alpha Vantage premium endpoint notice"
    ),
    (
      "the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.",
      .unauthorized, "synthetic/alpha_vantage_error_message_invalid_apikey.json"
    ),
    (
      "Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for GLOBAL_QUOTE.",
      .unknownSymbol, "github.com/RomelTorres/alpha_vantage/issues/183 (unavailable symbols)"
    ),
    (
      "API limit reached. Please sign up for a free account to continue using the API.", .unauthorized,
      "finnhub/error_429_api_limit_reached.txt (no token sent)"
    ),
    (
      "API limit reached. Please try again later. Remaining Limit: 0", .rateLimited(retryAfter: nil),
      "Finnhub rate limit"
    ),
    ("Invalid API key.", .unauthorized, "synthetic/finnhub_401_invalid_api_key.json"),
    ("You don't have access to this resource.", .planLimit, "Finnhub premium resource"),
    ("Symbol not supported.", .planLimit, "github.com/finnhubio/Finnhub-API/issues/331"),
    ("Edge: Too Many Requests", .rateLimited(retryAfter: nil), "yfinance/error_429_getcrumb_edge_too_many_requests.txt"),
    ("Unauthorized: Invalid Crumb", .unauthorized, "yfinance/error_401_v7_quote_invalid_crumb_2023-04-19.json"),
    ("Not Found: No data found, symbol may be delisted", .unknownSymbol, "synthetic/yahoo_v8_chart_404_not_found.json"),
    ("No results found. Try adjusting the query parameters.", .unknownSymbol, "openbb-core EmptyDataError"),
    ("Exceeded the daily hits limit", .quotaExhausted, "Stooq"),
    ("Unexpected error.", nil, "openbb-core ExceptionHandlers.exception"),
    ("Invalid provider choice", nil, "a 400 openbb-api answers for its own reasons"),
  ]

  @Test(arguments: Self.texts.indices)
  func providerTextsMeanWhatTheySay(_ index: Int) {
    let (text, expected, source) = Self.texts[index]
    #expect(ErrorMessage.meaning(of: text) == expected, "\(source)")
  }

  @Test func statusesQuotedInsideTextsAreFoundAndNothingElseIs() {
    #expect(ErrorMessage.embeddedStatus(in: "FMP Error Message -> Status code: 429 -> Limit Reach .") == 429)
    #expect(ErrorMessage.embeddedStatus(in: "503 Server Error: Service Unavailable for url: https://x") == 503)
    #expect(ErrorMessage.embeddedStatus(in: "429, message='Too Many Requests', url='https://x'") == 429)
    #expect(ErrorMessage.embeddedStatus(in: "upstream answered HTTP 502") == 502)
    #expect(ErrorMessage.embeddedStatus(in: "price 450.25 after 404 trades") == nil)
    #expect(ErrorMessage.embeddedStatus(in: "AAPL closed at 429.00") == nil)
    #expect(ErrorMessage.embeddedStatus(in: "volume 5030000") == nil)
    #expect(ErrorMessage.embeddedStatus(in: "Status code: 200") == nil)
  }

  @Test func aQuotedStatusDecidesWhenTheWordsDoNot() {
    #expect(ErrorMessage.meaning(of: "Tiingo Error Message -> Status code: 429 ->") == .rateLimited(retryAfter: nil))
    #expect(ErrorMessage.meaning(of: "HTTPError: 503 Server Error for url") == .upstreamFailure(status: 503))
    #expect(ErrorMessage.meaning(of: "Status code: 502 -> <html>") == .upstreamFailure(status: 502))
    #expect(ErrorMessage.meaning(of: "Status code: 404 ->") == .unknownSymbol)
    #expect(ErrorMessage.meaning(of: "request timed out after 10 seconds") == .timeout)
  }

  @Test func retryHintsAreReadWithTheirUnits() {
    #expect(ErrorMessage.retryHint(in: "Too many requests, retry after 30 seconds") == .seconds(30))
    #expect(ErrorMessage.retryHint(in: "Retry-After: 12") == .seconds(12))
    #expect(ErrorMessage.retryHint(in: "rate limited; please try again in 2 minutes") == .seconds(120))
    #expect(ErrorMessage.retryHint(in: "Slow down and wait 1.5s") == .milliseconds(1500))
    #expect(ErrorMessage.retryHint(in: "please wait or upgrade your subscription") == nil)
    // A bare number is seconds only right after "retry after"; elsewhere it needs a unit.
    #expect(ErrorMessage.retryHint(in: "try again in 5 requests") == nil)
    #expect(ErrorMessage.retryHint(in: "retry after 99999999999 hours") == RetryAfter.maximumDelay)
    #expect(
      ErrorMessage.meaning(of: "FMP Error Message -> Status code: 429 -> Too many requests, retry after 45 seconds")
        == .rateLimited(retryAfter: .seconds(45)))
  }
}
