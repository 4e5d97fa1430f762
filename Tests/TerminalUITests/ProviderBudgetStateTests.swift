import MarketCore
import Testing

@testable import TerminalUI

/// The providers pane says when a provider's cluster budget is counted locally at a share.
@Suite("Provider budget state")
struct ProviderBudgetStateTests {
  @Test("a local share shows as local1/N, a cluster-wide budget as up")
  func localShare() {
    var status = ProviderStatus(id: "finnhub", priority: 1, isSimulated: false)
    #expect(ProvidersPane.describe(status) == ("up", .ok))
    status.budget = .shared(liveInstances: 3)
    #expect(ProvidersPane.describe(status) == ("up", .ok))
    status.budget = .localShare(instances: 3, reason: "redis unreachable")
    #expect(ProvidersPane.describe(status) == ("local1/3", .warning))
    status.isEnabled = false
    #expect(ProvidersPane.describe(status) == ("disabled", .breakerDisabled))
  }
}
