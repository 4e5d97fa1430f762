import Foundation
import MarketCore
import MarketProviders

/// Feeds fuzz input to one adapter's history parser as if the transport had received it.
///
/// Input layout: byte 0 picks the HTTP status (bit 7 adds a `Retry-After` header), byte 1
/// picks one of the candidate queries (symbol, bar size, window), and the rest is the body. A
/// seed built from a recorded body starts with `0x00 0x00`: HTTP 200 for the first query.
public struct HistoryResponseFuzzer<Adapter: HTTPHistoryAdapter>: Sendable {
  public let adapter: Adapter
  /// Queries the adapter serves, in the order byte 1 selects them.
  public let queries: [HistoryQuery]
  /// Credentials the adapter was built with; no error may show them.
  public let secrets: [String]
  let receivedAt = Date(timeIntervalSince1970: 1_766_426_400)

  public init(adapter: Adapter, queries: [HistoryQuery], secrets: [String] = []) {
    precondition(!queries.isEmpty, "at least one query")
    precondition(
      queries.allSatisfy { adapter.historyIntervals.contains($0.interval) && adapter.servesHistory(of: $0.symbol) },
      "every query must be servable by \(adapter.id)")
    self.adapter = adapter
    self.queries = queries
    self.secrets = secrets
  }

  public func run(_ input: FuzzInput) {
    var input = input
    let (status, headers) = statusAndHeaders(from: input.byte(), among: ProviderResponseFuzzer<Adapter>.statuses)
    let query = queries[Int(input.byte()) % queries.count]
    let response = HTTPResponseSnapshot(
      status: status, headers: headers, body: input.rest(), symbols: [query.symbol], receivedAt: receivedAt,
      source: adapter.id)
    let answer: HistoryAnswer
    do {
      answer = try adapter.parseHistory(response, for: query)
    } catch {
      requireSafe(error, from: adapter.id, hiding: secrets)
      return
    }
    // What the core relies on: bars inside the window, oldest first, one per start, with
    // finite numbers (whether they are a possible bar is the core's to judge).
    var previous: Int64?
    for bar in answer.bars {
      require(bar.start >= query.from && bar.start < query.to, "\(adapter.id) bar at \(bar.start) outside \(query)")
      if let previous { require(bar.start > previous, "\(adapter.id) bars out of order at \(bar.start)") }
      for value in [bar.open, bar.high, bar.low, bar.close] + [bar.adjustedClose, bar.volume].compactMap({ $0 }) {
        require(value.isFinite, "\(adapter.id) non-finite value in \(bar)")
      }
      previous = bar.start
    }
    require(!answer.isSimulated || adapter.id == "openbb", "\(adapter.id) marked real bars simulated")
  }
}

/// Feeds fuzz input to one adapter's profile parser, as ``ProviderResponseFuzzer`` does for
/// quotes (byte 0 the status, byte 1 a mask over the candidates, the rest the body).
public struct ProfileResponseFuzzer<Adapter: HTTPProfileAdapter>: Sendable {
  public let adapter: Adapter
  public let candidates: [Symbol]
  public let secrets: [String]
  let receivedAt = Date(timeIntervalSince1970: 1_766_426_400)

  public init(adapter: Adapter, candidates: [Symbol], secrets: [String] = []) {
    precondition(!candidates.isEmpty && candidates.count <= 8, "one to eight candidate symbols")
    precondition(candidates.allSatisfy(adapter.servesProfile(of:)), "every candidate must have a profile at \(adapter.id)")
    self.adapter = adapter
    self.candidates = candidates
    self.secrets = secrets
  }

  public func run(_ input: FuzzInput) {
    var input = input
    let (status, headers) = statusAndHeaders(from: input.byte(), among: ProviderResponseFuzzer<Adapter>.statuses)
    let mask = input.byte()
    var symbols = candidates.indices.filter { mask & (1 << $0) != 0 }.map { candidates[$0] }
    if symbols.isEmpty { symbols = [candidates[0]] }
    symbols = Array(symbols.prefix(adapter.profileBatchSize))
    let response = HTTPResponseSnapshot(
      status: status, headers: headers, body: input.rest(), symbols: symbols, receivedAt: receivedAt, source: adapter.id)
    let results: [Symbol: Result<Profile, ProviderError>]
    do {
      results = try adapter.parseProfiles(response)
    } catch {
      requireSafe(error, from: adapter.id, hiding: secrets)
      return
    }
    for symbol in symbols { require(results[symbol] != nil, "\(adapter.id) gave no profile for requested \(symbol)") }
    for (symbol, result) in results {
      require(symbols.contains(symbol), "\(adapter.id) answered for \(symbol), which was not requested")
      switch result {
      case .success(let profile):
        require(profile.symbol == symbol && profile.source == adapter.id, "profile of \(profile.symbol) filed under \(symbol)")
        for value in [profile.marketCap, profile.sharesOutstanding].compactMap({ $0 }) {
          require(value.isFinite, "\(adapter.id) non-finite amount in \(profile)")
        }
      case .failure(let error): requireSafe(error, from: adapter.id, hiding: secrets)
      }
    }
  }
}
