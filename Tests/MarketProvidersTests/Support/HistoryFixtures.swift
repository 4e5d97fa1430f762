import Foundation
import MarketCore
import Testing

@testable import MarketProviders

/// 00:00 UTC of a calendar day, `YYYY-MM-DD`, in epoch seconds: how daily bars are dated.
func day(_ text: String) -> Int64 {
  Int64(utc(text + "T00:00:00Z").timeIntervalSince1970)
}

/// An instant in epoch seconds from an ISO 8601 UTC string.
func epoch(_ text: String) -> Int64 {
  Int64(utc(text).timeIntervalSince1970)
}

/// A history query for `[from, to)` (calendar days), asked at `now` (a fixed instant, never
/// the wall clock).
func historyQuery(
  _ symbol: StaticString, _ interval: BarInterval = .oneDay, from: String, to: String, now: String = "2023-01-11T00:00:00Z"
) -> HistoryQuery {
  HistoryQuery(symbol: Symbol(symbol), interval: interval, from: day(from), to: day(to), now: epoch(now))
}

/// The profile in a per-symbol result, recording an issue when it is missing or a failure.
func profile(
  _ result: Result<Profile, ProviderError>?, sourceLocation: SourceLocation = #_sourceLocation
) throws -> Profile {
  let result = try #require(result, "no result for the symbol", sourceLocation: sourceLocation)
  switch result {
  case .success(let profile):
    return profile
  case .failure(let error):
    Issue.record("expected a profile, got \(error)", sourceLocation: sourceLocation)
    throw error
  }
}

/// The error in a per-symbol profile result, or nil when it is a profile or missing.
func profileFailure(_ result: Result<Profile, ProviderError>?) -> ProviderError? {
  guard case .failure(let error)? = result else { return nil }
  return error
}

/// Checks what the core will check of every answer: strictly increasing starts inside the
/// window, and no bar that is impossible on its own.
func expectValid(
  _ answer: HistoryAnswer, in query: HistoryQuery, sourceLocation: SourceLocation = #_sourceLocation
) {
  var previous: Int64?
  for bar in answer.bars {
    #expect(
      bar.start >= query.from && bar.start < query.to, "bar at \(bar.start) outside the window", sourceLocation: sourceLocation)
    if let previous { #expect(bar.start > previous, "bars out of order at \(bar.start)", sourceLocation: sourceLocation) }
    #expect(bar.problem == nil, "\(bar.problem ?? "")", sourceLocation: sourceLocation)
    previous = bar.start
  }
}
