import MarketCore
import Testing

@testable import CacheTiers

@Suite struct QuoteTierContractTests {
  @Test func unavailableIsNilForAWorkingTier() {
    let statistics = CacheStatistics(tier: "memory")
    #expect(statistics.unavailable == nil)
  }
}
