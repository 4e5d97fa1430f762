import Foundation
import MarketCore
import MarketProviders

/// Feeds fuzz input to one adapter's response parser as if the transport had received it.
///
/// Input layout: byte 0 picks the HTTP status (bit 7 adds a `Retry-After` header), byte 1 is
/// a bit mask over the adapter's candidate symbols (which ones the request asked for), and
/// the rest is the body. A seed built from a recorded body starts with `0x00 0x01`: HTTP 200
/// for the first candidate.
public struct ProviderResponseFuzzer<Adapter: HTTPQuoteAdapter>: Sendable {
  /// Mostly 200, so most mutations exercise the body; then every status the adapters treat
  /// specially.
  static var statuses: [Int] {
    [200, 200, 200, 200, 200, 200, 200, 200, 201, 204, 301, 400, 401, 402, 403, 404, 429, 500, 502, 503]
  }

  public let adapter: Adapter
  /// Symbols the adapter serves, in the order byte 1's bits select them (at most 8).
  public let candidates: [Symbol]
  /// Credentials the adapter was built with; no error may show them.
  public let secrets: [String]
  let receivedAt = Date(timeIntervalSince1970: 1_766_426_400)

  public init(adapter: Adapter, candidates: [Symbol], secrets: [String] = []) {
    precondition(!candidates.isEmpty && candidates.count <= 8, "one to eight candidate symbols")
    precondition(candidates.allSatisfy(adapter.canServe), "every candidate must be servable by \(adapter.id)")
    self.adapter = adapter
    self.candidates = candidates
    self.secrets = secrets
  }

  public func run(_ input: FuzzInput) {
    var input = input
    let statusByte = input.byte()
    let mask = input.byte()
    let status = Self.statuses[Int(statusByte & 0x7F) % Self.statuses.count]
    let headers = statusByte & 0x80 == 0 ? [] : [HTTPHeader(name: "Retry-After", value: "120")]
    var symbols = candidates.indices.filter { mask & (1 << $0) != 0 }.map { candidates[$0] }
    if symbols.isEmpty { symbols = [candidates[0]] }
    symbols = Array(symbols.prefix(adapter.capabilities.maximumBatchSize))
    let response = HTTPResponseSnapshot(
      status: status, headers: headers, body: input.rest(), symbols: symbols, receivedAt: receivedAt, source: adapter.id)

    let results: [Symbol: Result<Quote, ProviderError>]
    do {
      results = try adapter.parse(response)
    } catch {
      checkSafe(error)
      return
    }
    for symbol in symbols {
      require(results[symbol] != nil, "\(adapter.id) gave no result for requested \(symbol)")
    }
    for (symbol, result) in results {
      require(symbols.contains(symbol), "\(adapter.id) answered for \(symbol), which was not requested")
      switch result {
      case .success(let quote): check(quote, for: symbol)
      case .failure(let error): checkSafe(error)
      }
    }
  }

  /// A quote is for the symbol it is filed under, from this provider, with a usable price.
  func check(_ quote: Quote, for symbol: Symbol) {
    require(quote.symbol == symbol, "quote for \(quote.symbol) filed under \(symbol)")
    require(quote.source == adapter.id && !quote.isSimulated, "quote from \(quote.source), simulated \(quote.isSimulated)")
    require(quote.price.isFinite && quote.price >= 0, "price \(quote.price)")
    for value in [quote.open, quote.high, quote.low, quote.previousClose, quote.change, quote.changePercent] {
      require(value?.isFinite ?? true, "non-finite field in \(quote)")
    }
    require(quote.asOf.timeIntervalSince1970.isFinite, "as-of \(quote.asOf)")
  }

  func checkSafe(_ error: ProviderError) {
    requireSafe(error, from: adapter.id, hiding: secrets)
  }
}

/// ARCHITECTURE.md: error texts are sanitized (printable ASCII, bounded) and never show a key.
func requireSafe(_ error: ProviderError, from provider: ProviderID, hiding secrets: [String]) {
  let text = error.description
  for secret in secrets where !secret.isEmpty {
    require(!text.contains(secret), "\(provider) error shows a credential: \(text)")
  }
  if case .malformedBody(let excerpt) = error {
    require(excerpt.count <= 81, "excerpt of \(excerpt.count) characters")
    require(
      excerpt.unicodeScalars.allSatisfy { ($0.isASCII && $0.value >= 0x20 && $0.value < 0x7F) || $0 == "…" },
      "excerpt is not printable ASCII: \(excerpt.debugDescription)")
  }
}

/// Picks a status the way every provider fuzzer does: byte 0's low seven bits index
/// `statuses`, its top bit adds a `Retry-After` header.
func statusAndHeaders(from byte: UInt8, among statuses: [Int]) -> (status: Int, headers: [HTTPHeader]) {
  let status = statuses[Int(byte & 0x7F) % statuses.count]
  return (status, byte & 0x80 == 0 ? [] : [HTTPHeader(name: "Retry-After", value: "120")])
}
