import Foundation
import MCP
import MarketCore

/// The readable resources: the immortals, each immortal's watchlist with quotes, and a quote
/// per symbol (a template). Contents are JSON in the tools' shapes.
enum ResourceCatalog {
  static let listing: ListResources.Result = {
    var resources = [
      Resource(
        name: "immortals", uri: ResourceAddress.immortals.uri, title: "The eight immortals",
        description: "Every immortal with stance and watchlist (active flags, no quotes).", mimeType: "application/json")
    ]
    for immortal in Immortal.all {
      resources.append(
        Resource(
          name: immortal.id.rawValue, uri: ResourceAddress.immortal(immortal.id).uri,
          title: "\(immortal.chineseName) \(immortal.pinyin)",
          description: "\(immortal.pinyin)'s watchlist with current quotes (\(immortal.stance)).", mimeType: "application/json"))
    }
    return ListResources.Result(resources: resources)
  }()

  static let templates = ListResourceTemplates.Result(templates: [
    Resource.Template(
      uriTemplate: ResourceAddress.scheme + "quotes/{symbol}", name: "quote", title: "A quote",
      description: """
        The current quote for a symbol (percent-encode ^ and =: lianyaohu://quotes/%5EVIX), with source, as_of, \
        age_seconds, stale, simulated and delayed. Subscribe to be told when a new value arrives (at most once a second).
        """, mimeType: "application/json"),
    Resource.Template(
      uriTemplate: ResourceAddress.scheme + "immortals/{id}", name: "immortal", title: "An immortal's watchlist",
      description: "One immortal's watchlist with current quotes; subscribe to be told when it is edited.",
      mimeType: "application/json"),
  ])

  static func read(_ uri: String, core: MarketDataCore) async throws(MCPError) -> ReadResource.Result {
    let address = try ResourceAddress(uri: uri)
    let value: Value
    switch address {
    case .immortals:
      let lists = core.watchlists
      value = .object([
        "immortals": .array(
          Immortal.all.map { ImmortalFields.value($0, watchlist: lists[$0.id] ?? Watchlist(symbols: [])) })
      ])
    case .immortal(let id):
      value = await WatchlistReading.withLiveQuotes(id, core: core).0
    case .quote(let symbol):
      do throws(ReadError) {
        value = QuoteFields.value(try await core.quote(symbol))
      } catch {
        switch error {
        case .invalidSymbol, .unknownSymbol:
          throw .serverError(code: ResourceAddress.resourceNotFound, message: "Resource not found: \(error.description)")
        default:
          throw .serverError(code: -32_000, message: "\(error.errorClass): \(error.description)")
        }
      }
    }
    return ReadResource.Result(contents: [.text(try JSONText.encode(value), uri: uri, mimeType: "application/json")])
  }
}

/// A `Value` as compact JSON text with sorted keys.
enum JSONText {
  static func encode(_ value: Value) throws(MCPError) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(value), as: UTF8.self)
    } catch {
      throw .internalError("could not encode the resource")
    }
  }
}
