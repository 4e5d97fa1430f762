import MarketCore
import Testing

/// When a read failed only because of rate limits and quotas, its class says so and carries
/// the earliest retry; anything else in the way keeps the older classes.
@Suite struct ReadErrorTests {
  let aapl = Symbol("AAPL")
  let a = ProviderID("a")
  let b = ProviderID("b")

  func skipped(_ reasons: ProviderSkip.Reason...) -> ReadError {
    .noProviderAvailable(
      aapl, skipped: reasons.enumerated().map { ProviderSkip(provider: ProviderID("p\($0.offset)"), reason: $0.element) })
  }

  @Test func skipsForLimitsAreRateLimitedWithTheEarliestRetry() {
    let error = skipped(.rateLimited(retryIn: .seconds(30)), .rateLimited(retryIn: .seconds(12)), .cannotServe)
    #expect(error.errorClass == "rate_limited")
    #expect(error.rateLimit == RateLimitWait(retryAfter: .seconds(12)))
  }

  @Test func aSpentQuotaIsRateLimitedWithoutAPromise() {
    #expect(skipped(.quotaExhausted).rateLimit == RateLimitWait(retryAfter: nil))
    #expect(skipped(.quotaExhausted, .rateLimited(retryIn: .seconds(5))).rateLimit?.retryAfter == .seconds(5))
    // One provider whose wait is unknown may be back at any moment.
    #expect(skipped(.rateLimited(retryIn: nil), .rateLimited(retryIn: .seconds(5))).rateLimit?.retryAfter == nil)
  }

  @Test func anythingElseInTheWayKeepsTheOtherClasses() {
    #expect(skipped(.rateLimited(retryIn: .seconds(5)), .forcedOpen).errorClass == "no_provider_available")
    #expect(skipped(.circuitOpen(retryIn: .seconds(5))).rateLimit == nil)
    #expect(skipped(.cannotServe).errorClass == "no_provider_available")
    #expect(ReadError.noProviderAvailable(aapl, skipped: []).errorClass == "no_provider_available")
    let mixed = ReadError.allProvidersFailed(
      aapl,
      failures: [
        ProviderFailure(provider: a, error: .rateLimited(retryAfter: nil)),
        ProviderFailure(provider: b, error: .timeout),
      ])
    #expect(mixed.errorClass == "upstream_failed")
    #expect(mixed.rateLimit == nil)
  }

  @Test func providersAnsweringRateLimitedAreRateLimited() {
    let error = ReadError.allProvidersFailed(
      aapl,
      failures: [
        ProviderFailure(provider: a, error: .rateLimited(retryAfter: .seconds(20))),
        ProviderFailure(provider: b, error: .quotaExhausted),
      ])
    #expect(error.errorClass == "rate_limited")
    #expect(error.rateLimit?.retryAfter == .seconds(20))
  }
}
