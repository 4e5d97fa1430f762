import ControlAPIClient
import Foundation
import MarketCore
import Testing

/// A provider's cluster budget travels in `/v1/providers` and comes back as the same mode.
@Suite("Provider budget body")
struct ProviderBudgetBodyTests {
  @Test("a local share is sent with its divisor, reason and summary, and read back")
  func localShareRoundTrips() throws {
    var status = ProviderStatus(id: "finnhub", priority: 1, isSimulated: false)
    status.budget = .localShare(instances: 3, reason: "redis unreachable")
    let json = try #require(String(data: try JSONEncoder().encode(ProviderBody(status)), encoding: .utf8))
    #expect(json.contains(#""scope":"local_share""#))
    #expect(json.contains(#""instances":3"#))
    #expect(json.contains(#""summary":"budget: local share 1\/3 (redis unreachable)""#))
    let decoded = try JSONDecoder().decode(ProviderBody.self, from: Data(json.utf8))
    #expect(try decoded.status().budget == .localShare(instances: 3, reason: "redis unreachable"))
  }

  @Test("a cluster-wide budget reads back, and a provider without one sends none")
  func sharedAndAbsent() throws {
    var status = ProviderStatus(id: "polygon", priority: 1, isSimulated: false)
    status.budget = .shared(liveInstances: 2)
    let shared = try JSONDecoder().decode(ProviderBody.self, from: try JSONEncoder().encode(ProviderBody(status)))
    #expect(shared.budget?.scope == "cluster")
    #expect(try shared.status().budget == .shared(liveInstances: 2))

    let plain = ProviderStatus(id: "sim-alpha", priority: 1, isSimulated: true)
    let json = try #require(String(data: try JSONEncoder().encode(ProviderBody(plain)), encoding: .utf8))
    #expect(!json.contains("budget"))
  }
}
