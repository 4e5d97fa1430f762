import Foundation
import MarketCore
import Testing

extension ResilienceTests {
  @Suite struct ProviderLimitsTests {
    /// 2025-11-29 23:59:00 UTC.
    static let beforeMidnight = Date(timeIntervalSince1970: 1_764_460_740)

    @Test func theTokenBucketRefills() {
      var bucket = TokenBucket(rate: .perMinute(60), burst: 2)
      #expect(bucket.tryTake(at: instant(0)) == true)
      #expect(bucket.tryTake(at: instant(0)) == true)
      #expect(bucket.tryTake(at: instant(0)) == false)
      #expect(bucket.waitTime(at: instant(0)) == .seconds(1))
      #expect(bucket.waitTime(at: instant(0.25)) == .milliseconds(750))
      #expect(bucket.tryTake(at: instant(1)) == true)
      #expect(bucket.tryTake(at: instant(1.5)) == false)
      // Never more than the burst, however long it idles.
      #expect(bucket.available(at: instant(3_600)) == 2)
      #expect(bucket.waitTime(for: 3, at: instant(3_600)) == nil)
      #expect(TokenBucket(rate: .perSecond(5), burst: 1).rate.tokensPerSecond == 5)
    }

    @Test func theDailyQuotaResetsAtUTCMidnight() {
      var quota = DailyQuota(limit: 2)
      #expect(quota.tryConsume(at: Self.beforeMidnight) == true)
      #expect(quota.tryConsume(at: Self.beforeMidnight + 30) == true)
      #expect(quota.tryConsume(at: Self.beforeMidnight + 59) == false)
      #expect(quota.remaining(at: Self.beforeMidnight + 59) == 0)
      let midnight = Date(timeIntervalSince1970: 1_764_460_800)
      #expect(DailyQuota.resetTime(after: Self.beforeMidnight) == midnight)
      #expect(quota.remaining(at: midnight) == 2)
      #expect(quota.tryConsume(at: midnight) == true)
      #expect(quota.used(at: midnight) == 1)

      quota.markExhausted(at: midnight + 60)
      #expect(quota.tryConsume(at: midnight + 120) == false)
      #expect(quota.tryConsume(at: midnight + 86_400) == true)
    }

    @Test func aWithdrawnPermitGivesBackWhatItTook() throws {
      var limits = ProviderLimits(
        configuration: ProviderLimitsConfiguration(
          maxConcurrent: 1, requestsPerMinute: 60, burst: 1, dailyQuota: 2, costPerCall: 0.5))
      let permit = try limits.acquire(at: instant(0), wallTime: Self.beforeMidnight).get()
      #expect(limits.status(at: instant(0), wallTime: Self.beforeMidnight).quotaUsed == 1)
      #expect(limits.status(at: instant(0), wallTime: Self.beforeMidnight).costSpent == 0.5)
      #expect(limits.status(at: instant(0), wallTime: Self.beforeMidnight).inFlight == 1)
      limits.withdraw(permit, takenAt: Self.beforeMidnight)
      let status = limits.status(at: instant(0), wallTime: Self.beforeMidnight)
      #expect(status.quotaUsed == 0)
      #expect(status.costSpent == 0)
      #expect(status.inFlight == 0)
      // The token is back: a call may go at the same instant.
      let again = try limits.acquire(at: instant(0), wallTime: Self.beforeMidnight).get()
      #expect(limits.status(at: instant(0), wallTime: Self.beforeMidnight).quotaUsed == 1)
      // A permit from yesterday gives nothing back from today.
      limits.release(again)
      let midnight = Self.beforeMidnight + 60
      _ = try limits.acquire(at: instant(61), wallTime: midnight).get()
      limits.withdraw(again, takenAt: Self.beforeMidnight)
      #expect(limits.status(at: instant(61), wallTime: midnight).quotaUsed == 1)
      var bucket = TokenBucket(rate: .perMinute(60), burst: 1)
      bucket.giveBack(5)
      #expect(bucket.available(at: instant(0)) == 1)
    }

    @Test func theBulkheadCapsCallsInFlight() {
      var bulkhead = Bulkhead(maximumConcurrent: 2)
      #expect(bulkhead.tryAcquire() == true)
      #expect(bulkhead.tryAcquire() == true)
      #expect(bulkhead.tryAcquire() == false)
      #expect(bulkhead.inFlight == 2)
      bulkhead.release()
      #expect(bulkhead.tryAcquire() == true)
      bulkhead.release()
      bulkhead.release()
      bulkhead.release()
      #expect(bulkhead.inFlight == 0)
    }

    @Test func retryAfterIsObeyed() {
      var backoff = RateLimitBackoff()
      #expect(backoff.recordRateLimited(retryAfter: .seconds(30), at: instant(10)) == .seconds(30))
      #expect(backoff.remaining(at: instant(20)) == .seconds(20))
      // A shorter block later does not cut the longer one short.
      backoff.recordRateLimited(retryAfter: .seconds(1), at: instant(21))
      #expect(backoff.remaining(at: instant(39)) == .seconds(1))
      #expect(backoff.remaining(at: instant(40)) == nil)
    }

    @Test func withoutRetryAfterTheBackoffDoublesUpToAMinute() {
      var backoff = RateLimitBackoff()
      var now = instant(0)
      var delays: [Duration] = []
      for _ in 0..<8 {
        let delay = backoff.recordRateLimited(retryAfter: nil, at: now)
        delays.append(delay)
        now = now + delay
      }
      #expect(delays == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
      backoff.recordSuccess()
      #expect(backoff.recordRateLimited(retryAfter: nil, at: now) == .seconds(1))
    }

    @Test func acquireChecksEveryLimitBeforeTakingAnything() throws {
      var limits = ProviderLimits(configuration: .init(maxConcurrent: 1, dailyQuota: 5, costPerCall: 0.5))
      let wall = Self.beforeMidnight
      let first = try limits.acquire(at: instant(0), wallTime: wall).get()
      #expect(first.holdsConcurrencySlot)
      #expect(limits.acquire(at: instant(0), wallTime: wall) == .failure(.bulkheadFull(limit: 1)))
      var status = limits.status(at: instant(0), wallTime: wall)
      #expect(status.inFlight == 1)
      #expect(status.quotaUsed == 1)  // the refused call used none
      #expect(status.costSpent == 0.5)

      limits.release(first)
      limits.release(first)  // twice is harmless
      #expect(limits.status(at: instant(0), wallTime: wall).inFlight == 0)
      let second = try limits.acquire(at: instant(1), wallTime: wall).get()
      limits.release(second)
      status = limits.status(at: instant(1), wallTime: wall)
      #expect(status.quotaUsed == 2)
      #expect(status.costSpent == 1)
      #expect(status.maximumConcurrent == 1)
      #expect(status.dailyQuota == 5)
      #expect(status.costPerCall == 0.5)
      // Cost is per UTC day, like the quota.
      #expect(limits.status(at: instant(2), wallTime: wall + 120).costSpent == 0)
    }

    @Test func theQuotaRunsOutAndComesBackAtMidnight() throws {
      var limits = ProviderLimits(configuration: .init(dailyQuota: 2))
      for _ in 0..<2 { _ = try limits.acquire(at: instant(0), wallTime: Self.beforeMidnight).get() }
      #expect(limits.acquire(at: instant(1), wallTime: Self.beforeMidnight) == .failure(.quotaExhausted))
      #expect(limits.status(at: instant(1), wallTime: Self.beforeMidnight).isExhausted)
      #expect((try? limits.acquire(at: instant(61), wallTime: Self.beforeMidnight + 61).get()) != nil)

      // The provider can say so before our count does.
      var told = ProviderLimits(configuration: .init(dailyQuota: 500))
      told.record(.quotaExhausted, at: instant(0), wallTime: Self.beforeMidnight)
      #expect(told.acquire(at: instant(0), wallTime: Self.beforeMidnight) == .failure(.quotaExhausted))
    }

    @Test func theRateLimitsRequestsPerMinute() {
      var limits = ProviderLimits(configuration: .init(requestsPerMinute: 120))
      #expect(limits.configuration.effectiveBurst == 2)
      let wall = Self.beforeMidnight
      #expect((try? limits.acquire(at: instant(0), wallTime: wall).get()) != nil)
      #expect((try? limits.acquire(at: instant(0), wallTime: wall).get()) != nil)
      #expect(limits.acquire(at: instant(0), wallTime: wall) == .failure(.rateLimited(retryIn: .milliseconds(500))))
      #expect((try? limits.acquire(at: instant(0.5), wallTime: wall).get()) != nil)
      #expect(limits.status(at: instant(0.5), wallTime: wall).requestsPerMinute == 120)
      #expect(ProviderLimitsConfiguration(requestsPerMinute: 5).effectiveBurst == 1)
    }

    @Test func aRateLimitReplyBlocksTheProvider() throws {
      var limits = ProviderLimits()
      let wall = Self.beforeMidnight
      limits.record(.rateLimited(retryAfter: .seconds(10)), at: instant(5), wallTime: wall)
      #expect(limits.acquire(at: instant(6), wallTime: wall) == .failure(.rateLimited(retryIn: .seconds(9))))
      let status = limits.status(at: instant(6), wallTime: wall)
      #expect(status.backingOffFor == .seconds(9))
      #expect(status.isExhausted)
      #expect((try? limits.acquire(at: instant(15), wallTime: wall).get()) != nil)
      limits.recordSuccess()  // the call got through

      limits.record(.rateLimited(retryAfter: nil), at: instant(20), wallTime: wall)
      limits.record(.rateLimited(retryAfter: nil), at: instant(21), wallTime: wall)
      #expect(limits.status(at: instant(21), wallTime: wall).backingOffFor == .seconds(2))
      limits.recordSuccess()
      limits.record(.rateLimited(retryAfter: nil), at: instant(30), wallTime: wall)  // the streak starts over
      #expect(limits.status(at: instant(30), wallTime: wall).backingOffFor == .seconds(1))
      // Other errors are not the limiter's business.
      limits.record(.timeout, at: instant(40), wallTime: wall)
      #expect(limits.status(at: instant(40), wallTime: wall).backingOffFor == nil)
    }

    @Test func noLimitsConfiguredMeansNoLimits() throws {
      var limits = ProviderLimits()
      for _ in 0..<1_000 {
        _ = try limits.acquire(at: instant(0), wallTime: Self.beforeMidnight).get()
      }
      let status = limits.status(at: instant(0), wallTime: Self.beforeMidnight)
      #expect(status == LimitStatus())
    }
  }
}
