import AgentTools
import Foundation
import MCP
import MarketCore
import MarketTesting
import Synchronization
import Testing

/// A core over scripted providers on a manual clock (one for quotes, one for history and
/// profiles), the MCP server in front of it, and the SDK's own client talking to it in process
/// (`InMemoryTransport`): what an agent sees, without a process or a socket. `ZZZZ` is unknown
/// to both providers; `FAIL` fails upstream at both.
struct MCPHarness {
  static let unknown = Symbol("ZZZZ")
  static let failing = Symbol("FAIL")

  let clock: ManualClock
  let provider: ScriptedProvider
  let history: ScriptedHistoryProvider
  let core: MarketDataCore
  let tools: AgentTools

  init(registerProvider: Bool = true, updateInterval: Duration = .seconds(1), gate: Gate? = nil) {
    let clock = ManualClock()
    // Every price the provider hands out is one higher than the last, so each fetch is news.
    let counter = Mutex(0)
    let provider = ScriptedProvider(id: "alpha", capabilities: ProviderCapabilities(maximumBatchSize: 50), gate: gate) {
      symbols in
      let now = clock.wallNow()
      let price = counter.withLock { count -> Double in
        count += 1
        return 100 + Double(count)
      }
      var results: [Symbol: Result<Quote, ProviderError>] = [:]
      for symbol in symbols {
        switch symbol {
        case MCPHarness.unknown: results[symbol] = .failure(.unknownSymbol(symbol))
        case MCPHarness.failing: results[symbol] = .failure(.upstreamStatus(503))
        default:
          results[symbol] = .success(
            Quote(
              symbol: symbol, price: price, change: 1.5, changePercent: 1.52, open: 99, high: 102, low: 98,
              previousClose: price - 1.5, volume: 1_000, currency: "USD", asOf: now, receivedAt: now, source: "alpha",
              isSimulated: false, isDelayed: symbol == Symbol("DELAY")))
        }
      }
      return results
    }
    let history = ScriptedHistoryProvider(id: "bars", clock: clock, unknown: [MCPHarness.unknown]) {
      symbol, interval, from, to in
      if symbol == MCPHarness.failing { throw ProviderError.upstreamStatus(503) }
      return try await ScriptedHistoryProvider.weekdayBars(symbol, interval, from, to)
    }
    var configuration = CoreConfiguration()
    configuration.watchlists = [
      .luDongbin: Watchlist(entries: [
        Watchlist.Entry(symbol: Symbol("AAPL")), Watchlist.Entry(symbol: Symbol("NVDA")),
        Watchlist.Entry(symbol: Symbol("MSFT"), isActive: false),
      ])
    ]
    self.clock = clock
    self.provider = provider
    self.history = history
    self.core = MarketDataCore(
      providers: registerProvider ? [ProviderRegistration(provider), ProviderRegistration(history)] : [],
      configuration: configuration, clock: clock)
    var toolsConfiguration = AgentToolsConfiguration()
    toolsConfiguration.updateInterval = updateInterval
    self.tools = AgentTools(core: core, configuration: toolsConfiguration)
  }

  /// A connected client and the server session behind it.
  func connect(mutations: MutationGuard = .open) async throws -> Connection {
    let (clientTransport, serverTransport) = await InMemoryTransport.createConnectedPair()
    let session = await tools.makeSession(mutations: mutations)
    try await session.start(transport: serverTransport)
    let client = Client(name: "agent-tools-tests", version: "1.0")
    let notifications = NotificationLog()
    await client.onNotification(ResourceUpdatedNotification.self) { message in
      notifications.record(message.params.uri)
    }
    try await client.connect(transport: clientTransport)
    return Connection(client: client, session: session, notifications: notifications)
  }
}

struct Connection {
  let client: Client
  let session: AgentSession
  let notifications: NotificationLog

  /// The full result (the SDK client's `callTool` drops `structuredContent`).
  func call(_ name: String, _ arguments: [String: Value] = [:]) async throws -> CallTool.Result {
    try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
  }

  func close() async {
    await client.disconnect()
    await session.close()
  }
}

/// `notifications/resources/updated` as the client received them, in order.
final class NotificationLog: Sendable {
  private let uris = Mutex<[String]>([])
  func record(_ uri: String) { uris.withLock { $0.append(uri) } }
  var received: [String] { uris.withLock { $0 } }
  func count(of uri: String) -> Int { received.filter { $0 == uri }.count }
}

extension CallTool.Result {
  var text: String {
    content.compactMap { item -> String? in
      if case .text(let text, _, _) = item { return text }
      return nil
    }.joined(separator: "\n")
  }

  var structured: [String: Value] { structuredContent?.objectValue ?? [:] }

  var errorClass: String? { structured["error"]?.objectValue?["class"]?.stringValue }
}

/// Fails the test with every violation when `value` breaks `schema`.
func expectConforms(_ value: Value?, to schema: Value?, sourceLocation: SourceLocation = #_sourceLocation) {
  guard let value, let schema else {
    Issue.record("missing value or schema", sourceLocation: sourceLocation)
    return
  }
  let violations = SchemaValidator.violations(of: value, against: schema)
  #expect(violations.isEmpty, "\(violations)", sourceLocation: sourceLocation)
}

extension Value {
  /// A number however JSON decoding spelled it (`101.0` comes back as an integer).
  var number: Double? {
    switch self {
    case .int(let value): Double(value)
    case .double(let value): value
    default: nil
    }
  }
}
