import MarketCore

extension Symbol {
  /// Base and quote currency of a forex (`EURUSD=X`, and Yahoo's `JPY=X` for USD/JPY) or
  /// crypto (`BTC-USD`) symbol; nil for anything else.
  var currencyPair: (base: String, quote: String)? {
    switch assetClass {
    case .forex:
      let code = text.dropLast(2)
      guard code.allSatisfy(\.isLetter) else { return nil }
      switch code.count {
      case 6: return (String(code.prefix(3)), String(code.suffix(3)))
      case 3: return ("USD", String(code))
      default: return nil
      }
    case .crypto:
      guard let dash = text.lastIndex(of: "-") else { return nil }
      let base = text[..<dash]
      guard !base.isEmpty, base.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
      return (String(base), String(text[text.index(after: dash)...]))
    default:
      return nil
    }
  }

  /// The symbol without its exchange suffix (`0700` for `0700.HK`).
  var localTicker: Substring {
    guard let suffix = exchangeSuffix else { return text[...] }
    return text.dropLast(suffix.count + 1)
  }
}

extension Symbol {
  /// The root of a continuous futures symbol (`GC` for `GC=F`); nil for anything else.
  var futuresRoot: Substring? {
    guard assetClass == .future else { return nil }
    let root = text.dropLast(2)
    return root.isEmpty ? nil : root
  }

  /// An index symbol without Yahoo's caret (`GSPC` for `^GSPC`); nil for anything else.
  var indexName: Substring? {
    guard assetClass == .index else { return nil }
    let name = text.dropFirst()
    return name.isEmpty ? nil : name
  }
}
