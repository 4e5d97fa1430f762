import Foundation
import MarketCore
import TerminalUI

/// An operator command as a control API request: which route, and what to say about its answer.
/// Pure, so the mapping is tested without a server.
struct RemoteCommand: Sendable {
  enum Method: String, Sendable {
    case get = "GET"
    case post = "POST"
    case patch = "PATCH"
    case delete = "DELETE"
  }

  var method: Method
  /// Path with every segment percent-encoded.
  var path: String
  var body: Data?

  /// Mutating routes carry the bearer token; reads do not need it.
  var needsToken: Bool { method != .get }

  init(method: Method, path: String, body: Data? = nil) {
    self.method = method
    self.path = path
    self.body = body
  }

  init(_ command: OperatorCommand) throws(ClientDecodingError) {
    switch command {
    case .tripProvider(let id): self.init(method: .post, path: Self.providerPath(id, "trip"))
    case .resetProvider(let id): self.init(method: .post, path: Self.providerPath(id, "reset"))
    case .setProviderEnabled(let id, let enabled):
      self.init(method: .post, path: Self.providerPath(id, enabled ? "enable" : "disable"))
    case .toggleSymbol(let immortal, let symbol): try self.init(patch: immortal, .toggle, symbol)
    case .addSymbol(let immortal, let symbol): try self.init(patch: immortal, .add, symbol)
    case .removeSymbol(let immortal, let symbol): try self.init(patch: immortal, .remove, symbol)
    case .clearCache: self.init(method: .delete, path: "/v1/cache")
    }
  }

  private init(patch immortal: ImmortalID, _ operation: WatchlistPatch.Edit.Operation, _ symbol: Symbol)
    throws(ClientDecodingError)
  {
    let patch = WatchlistPatch(edits: [.init(op: operation, symbol: symbol.text)])
    self.init(method: .patch, path: "/v1/immortals/\(Self.segment(immortal.rawValue))", body: try ClientJSON.encode(patch))
  }

  /// Asks for one quote first: an added symbol no provider knows would wait forever.
  static func probe(_ symbol: Symbol) -> RemoteCommand { RemoteCommand(method: .get, path: "/v1/quotes/\(segment(symbol.text))") }

  /// A series as one JSON document: `/v1/history/SYM?interval=1d&range=3mo`.
  static func history(_ request: HistoryRequest) -> RemoteCommand {
    RemoteCommand(method: .get, path: "/v1/history/\(segment(request.symbol.text))?\(request.query)")
  }

  static func profile(_ symbol: Symbol) -> RemoteCommand {
    RemoteCommand(method: .get, path: "/v1/profiles/\(segment(symbol.text))")
  }

  private static func providerPath(_ id: ProviderID, _ verb: String) -> String { "/v1/providers/\(segment(id.name))/\(verb)" }

  /// One path segment, percent-encoded (`^VIX` is `%5EVIX`, `EURUSD=X` keeps its `=`).
  static func segment(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~=")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }

  /// The operator's confirmation for a successful answer, in the in-process dashboard's words.
  static func confirmation(_ command: OperatorCommand, body: Data) -> String {
    switch command {
    case .tripProvider(let id):
      let state = (try? ClientJSON.decode(ProviderBody.self, from: body))?.breaker.state ?? "forced-open"
      return "\(id) tripped: its breaker is \(state) until reset"
    case .resetProvider(let id):
      let state = (try? ClientJSON.decode(ProviderBody.self, from: body))?.breaker.state ?? "closed"
      return "\(id) reset: its breaker is \(state)"
    case .setProviderEnabled(let id, let enabled):
      return enabled ? "\(id) enabled: the router may ask it again" : "\(id) disabled: the router will not ask it"
    case .toggleSymbol(let immortal, let symbol):
      let list = try? ClientJSON.decode(ImmortalBody.self, from: body)
      let isActive = list?.symbols.first { $0.symbol == symbol.text }?.active ?? false
      return "\(symbol) \(isActive ? "active again" : "set aside") for \(Immortal.named(immortal).pinyin)"
        + (isActive ? "; fetching it" : "; no longer fetched for this debate")
    case .addSymbol(let immortal, let symbol):
      return "\(symbol) added for \(Immortal.named(immortal).pinyin)"
    case .removeSymbol(let immortal, let symbol):
      return "\(symbol) removed from \(Immortal.named(immortal).pinyin)'s watchlist"
    case .clearCache:
      let removed = (try? ClientJSON.decode(InvalidationBody.self, from: body))?.removed
      return "cache cleared: \(removed.map(String.init) ?? "some") entries removed"
    }
  }

  /// Why a route said no, from its JSON error body; the status alone when there is none.
  static func refusal(status: Int, body: Data) -> String {
    let message = (try? ClientJSON.decode(ErrorEnvelope.self, from: body))?.error.message
    let reason = message.map { ProviderError.sanitizedExcerpt($0, limit: 160) } ?? "HTTP \(status)"
    switch status {
    case 401: return "\(reason) (the server wants a token: --token or LIANYAOHU_API_TOKEN)"
    case 403: return "\(reason) (the token was refused)"
    default: return message == nil ? reason : "\(reason) (HTTP \(status))"
    }
  }
}
