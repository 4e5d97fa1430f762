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
