import Foundation
import Testing

@testable import MarketProviders

@Suite struct RetryAfterTests {
  let now = utc("1994-11-06T08:49:07Z")

  @Test(arguments: [
    ("120", Duration.seconds(120)),
    ("0", .zero),
    ("  5 ", .seconds(5)),
    ("100000000", .seconds(86_400)),
    ("99999999999999999999999", .seconds(86_400)),
  ])
  func delaySeconds(value: String, expected: Duration) {
    #expect(RetryAfter.parse(value, now: now) == expected)
  }

  @Test(arguments: [
    "Sun, 06 Nov 1994 08:49:37 GMT",  // IMF-fixdate
    "Sunday, 06-Nov-94 08:49:37 GMT",  // RFC 850
    "Sun Nov  6 08:49:37 1994",  // asctime
  ])
  func httpDateFormsAreThirtySecondsAway(value: String) {
    #expect(RetryAfter.parse(value, now: now) == .seconds(30))
  }

  @Test func pastDateMeansNow() {
    #expect(RetryAfter.parse("Sat, 05 Nov 1994 08:49:37 GMT", now: now) == .zero)
  }

  @Test func farFutureDateIsClamped() {
    #expect(RetryAfter.parse("Fri, 06 Nov 2094 08:49:37 GMT", now: now) == RetryAfter.maximumDelay)
  }

  @Test(arguments: [
    "", "-1", "1.5", "soon", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
    "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Foo 1994 08:49:37 GMT", "06 Nov 1994 08:49:37 GMT",
    String(repeating: "9", count: 200),
  ])
  func garbageIsNil(value: String) {
    #expect(RetryAfter.parse(value, now: now) == nil)
  }
}
