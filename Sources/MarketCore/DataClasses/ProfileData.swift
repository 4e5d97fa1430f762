import Foundation

extension DataKind {
  /// Company profiles: `v1:profile:AAPL`.
  public static let profile = DataKind("profile")
}

/// Profiles as a data class of the read pipeline: one per symbol, served by
/// ``ProfileProvider``s, believed for a day.
struct ProfileData: DataClassDefinition {
  let policy: CachePolicy

  static let defaultPolicy = CachePolicy(
    timeToLive: .seconds(86_400), refreshAheadFraction: 0.9, maximumStaleness: .seconds(7 * 86_400),
    negativeTimeToLive: .seconds(3_600))

  var kind: DataKind { .profile }

  func key(for symbol: Symbol) -> CacheKey { CacheKey(.profile, symbol) }

  func symbol(of symbol: Symbol) -> Symbol { symbol }

  func policy(for symbol: Symbol) -> CachePolicy { policy }

  func source(_ provider: any MarketDataProvider, for symbol: Symbol) -> (any ProfileProvider)? {
    guard let profiles = provider as? any ProfileProvider, profiles.servesProfile(of: symbol) else { return nil }
    return profiles
  }

  func batchSize(of source: any ProfileProvider) -> Int { source.capabilities.maximumBatchSize }

  func fetch(_ symbols: [Symbol], from source: any ProfileProvider) async throws -> [Symbol: Result<Profile, ProviderError>] {
    try await source.profiles(for: symbols)
  }

  func problem(with profile: Profile, for symbol: Symbol) -> String? {
    guard profile.symbol == symbol else { return "a profile of \(profile.symbol) came back for \(symbol)" }
    return profile.problem
  }

  func isOlder(_ profile: Profile, than held: Profile) -> Bool { false }

  func divergence(between profile: Profile, and other: Profile) -> String? { nil }

  func announcements(of served: Served<Profile>) -> [MarketEvent.Kind] { [] }

  func port(on tier: any CacheTier) -> TierPort<Symbol, Profile>? {
    guard let tier = tier as? any ProfileTier else { return nil }
    return TierPort(tier: tier, load: { await tier.loadProfiles($0) }, store: { tier.storeProfiles($0) })
  }
}
