/// The eight immortals (八仙) of the debate: each is an AI agent with a stance and a watchlist.
public enum ImmortalID: String, CaseIterable, Sendable, Hashable, Codable, Comparable {
  case luDongbin = "lu-dongbin"
  case heXiangu = "he-xiangu"
  case zhangGuolao = "zhang-guolao"
  case hanXiangzi = "han-xiangzi"
  case hanZhongli = "han-zhongli"
  case lanCaihe = "lan-caihe"
  case caoGuojiu = "cao-guojiu"
  case liTieguai = "li-tieguai"

  public static func < (lhs: ImmortalID, rhs: ImmortalID) -> Bool {
    lhs.ordinal < rhs.ordinal
  }

  /// Position in the traditional order, 0 to 7 (keys 1 to 8 on the dashboard).
  public var ordinal: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

/// Who an immortal is: the fixed part. The watchlist, which operators edit, lives apart.
public struct Immortal: Hashable, Sendable {
  public var id: ImmortalID
  public var chineseName: String
  public var pinyin: String
  /// The trigram's name and its symbol, e.g. 乾 and ☰.
  public var trigram: String
  public var trigramSymbol: String
  public var stance: String
  public var defaultSymbols: [Symbol]

  public static let all: [Immortal] = [
    Immortal(
      id: .luDongbin, chineseName: "吕洞宾", pinyin: "Lü Dongbin", trigram: "乾", trigramSymbol: "☰",
      stance: "bull, growth stock-picking",
      defaultSymbols: [Symbol("AAPL"), Symbol("NVDA"), Symbol("MSFT"), Symbol("TSLA"), Symbol("AMD")]),
    Immortal(
      id: .heXiangu, chineseName: "何仙姑", pinyin: "He Xiangu", trigram: "坤", trigramSymbol: "☷",
      stance: "bear, risk control, index funds",
      defaultSymbols: [Symbol("SPY"), Symbol("QQQ"), Symbol("VTI"), Symbol("TLT"), Symbol("GLD")]),
    Immortal(
      id: .zhangGuolao, chineseName: "张果老", pinyin: "Zhang Guolao", trigram: "坎", trigramSymbol: "☵",
      stance: "data-driven value",
      defaultSymbols: [Symbol("BRK-B"), Symbol("JNJ"), Symbol("KO"), Symbol("PG"), Symbol("JPM")]),
    Immortal(
      id: .hanXiangzi, chineseName: "韩湘子", pinyin: "Han Xiangzi", trigram: "离", trigramSymbol: "☲",
      stance: "sentiment, emerging assets",
      defaultSymbols: [Symbol("BTC-USD"), Symbol("ETH-USD"), Symbol("COIN"), Symbol("MSTR"), Symbol("SOL-USD")]),
    Immortal(
      id: .hanZhongli, chineseName: "汉钟离", pinyin: "Han Zhongli", trigram: "兑", trigramSymbol: "☱",
      stance: "macro, hot sectors",
      defaultSymbols: [Symbol("XLE"), Symbol("XLK"), Symbol("SMH"), Symbol("EURUSD=X"), Symbol("^VIX")]),
    Immortal(
      id: .lanCaihe, chineseName: "蓝采和", pinyin: "Lan Caihe", trigram: "巽", trigramSymbol: "☴",
      stance: "quant, small caps",
      defaultSymbols: [Symbol("IWM"), Symbol("ARKK"), Symbol("PLTR"), Symbol("SOFI"), Symbol("RIVN")]),
    Immortal(
      id: .caoGuojiu, chineseName: "曹国舅", pinyin: "Cao Guojiu", trigram: "艮", trigramSymbol: "☶",
      stance: "institutional, state-policy blue chips",
      defaultSymbols: [Symbol("BABA"), Symbol("FXI"), Symbol("0700.HK"), Symbol("600519.SS"), Symbol("601398.SS")]),
    Immortal(
      id: .liTieguai, chineseName: "铁拐李", pinyin: "Li Tieguai", trigram: "震", trigramSymbol: "☳",
      stance: "contrarian",
      defaultSymbols: [Symbol("SQQQ"), Symbol("UVXY"), Symbol("GME"), Symbol("INTC"), Symbol("BA")]),
  ]

  public static func named(_ id: ImmortalID) -> Immortal {
    all[id.ordinal]
  }
}
