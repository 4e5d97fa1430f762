import MarketCore
import Testing

@Suite("Symbol validation")
struct SymbolTests {
  @Test(
    "canonical forms are accepted and upper-cased",
    arguments: [
      ("AAPL", "AAPL"), ("aapl", "AAPL"), (" brk-b ", "BRK-B"), ("BTC-USD", "BTC-USD"), ("600519.ss", "600519.SS"),
      ("EURUSD=X", "EURUSD=X"), ("^vix", "^VIX"), ("0700.HK", "0700.HK"),
    ])
  func accepts(raw: String, canonical: String) throws {
    #expect(try Symbol(validating: raw).text == canonical)
  }

  @Test("empty and blank input is a typed error", arguments: ["", " ", "\t\t"])
  func rejectsEmpty(raw: String) {
    #expect(throws: SymbolError.empty) { try Symbol(validating: raw) }
  }

  @Test("a 10 kB string is rejected without echoing it")
  func rejectsHuge() {
    let huge = String(repeating: "A", count: 10_240)
    do {
      _ = try Symbol(validating: huge)
      Issue.record("accepted a 10 kB symbol")
    } catch {
      #expect(error == .tooLong(length: 10_240))
      #expect(error.description.count < 100)
    }
  }

  @Test("25 characters is one too many")
  func rejectsTooLong() {
    #expect(throws: SymbolError.tooLong(length: 25)) { try Symbol(validating: String(repeating: "B", count: 25)) }
    #expect((try? Symbol(validating: String(repeating: "B", count: 24))) != nil)
  }

  @Test(
    "hostile characters are rejected with a printable description",
    arguments: ["../etc/passwd", "AAPL\u{0}", "AA\nPL", "AAPL;DROP", "茅台", "AAPL\u{202E}", "A B", "AAPL%20", "€UR", "A\u{1B}[2J"])
  func rejectsHostile(raw: String) {
    do {
      _ = try Symbol(validating: raw)
      Issue.record("accepted \(raw.debugDescription)")
    } catch {
      guard case .invalidCharacter(let character, let position) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(position >= 1)
      #expect(character.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F })
    }
  }

  @Test("punctuation alone is not a symbol", arguments: ["^", "..", "-=^."])
  func rejectsPunctuationOnly(raw: String) {
    #expect(throws: SymbolError.noLetterOrDigit) { try Symbol(validating: raw) }
  }

  @Test("asset classes are inferred from the canonical form")
  func assetClasses() {
    #expect(Symbol("AAPL").assetClass == .equity)
    #expect(Symbol("BRK-B").assetClass == .equity)
    #expect(Symbol("BTC-USD").assetClass == .crypto)
    #expect(Symbol("EURUSD=X").assetClass == .forex)
    #expect(Symbol("^VIX").assetClass == .index)
    #expect(Symbol("CL=F").assetClass == .future)
    #expect(Symbol("0700.HK").exchangeSuffix == "HK")
    #expect(Symbol("AAPL").exchangeSuffix == nil)
  }

  @Test("capabilities decide which symbols a provider serves")
  func capabilities() {
    let usEquities = ProviderCapabilities(assetClasses: [.equity], exchanges: .unitedStatesOnly)
    #expect(usEquities.canServe(Symbol("AAPL")))
    #expect(!usEquities.canServe(Symbol("0700.HK")))
    #expect(!usEquities.canServe(Symbol("BTC-USD")))
    let withHongKong = ProviderCapabilities(exchanges: .unitedStatesAnd(["HK"]))
    #expect(withHongKong.canServe(Symbol("0700.HK")))
    #expect(!withHongKong.canServe(Symbol("600519.SS")))
  }

  @Test("watchlist edits keep order and reject duplicates")
  func watchlist() throws {
    var list = Watchlist(symbols: [Symbol("AAPL"), Symbol("MSFT"), Symbol("AAPL")])
    #expect(list.symbols == [Symbol("AAPL"), Symbol("MSFT")])
    #expect(try list.toggle(Symbol("AAPL")) == false)
    #expect(list.activeSymbols == [Symbol("MSFT")])
    #expect(throws: WatchlistError.alreadyOnWatchlist(Symbol("MSFT"))) { try list.add(Symbol("MSFT")) }
    try list.add(Symbol("NVDA"))
    try list.remove(Symbol("MSFT"))
    #expect(list.symbols == [Symbol("AAPL"), Symbol("NVDA")])
    #expect(throws: WatchlistError.notOnWatchlist(Symbol("TSLA"))) { try list.remove(Symbol("TSLA")) }
  }

  @Test("the eight immortals carry the default watchlists of DESIGN.md")
  func immortals() {
    #expect(Immortal.all.count == 8)
    #expect(Immortal.all.map(\.id) == ImmortalID.allCases)
    #expect(Immortal.named(.luDongbin).chineseName == "吕洞宾")
    #expect(Immortal.all.allSatisfy { $0.defaultSymbols.count == 5 })
    #expect(Immortal.named(.caoGuojiu).defaultSymbols.contains(Symbol("600519.SS")))
  }
}
