/// Where values are kept: the tiers below memory (read, warmed from, written behind),
/// acceptance of a new value, and forgetting what an invalidation names.
extension ReadPipeline {
  // MARK: Tiers

  /// Asks each tier in turn for the requests still missing. A value young enough is taken as
  /// if just fetched; an older one can only become the last-resort value, for when no
  /// provider answers.
  func fromTiers(_ requests: [Request], youngerThan maximumAge: Duration?) async -> [Request: Value] {
    var found: [Request: Value] = [:]
    await walkTiers(requests) { request, value, age, tier in
      guard age < maximumAge ?? policy(for: request).refreshAge else { return false }
      found[request] = accept(value, for: request, origin: .sharedTier, age: age, fromTier: tier)
      return true
    }
    return found
  }

  /// Fills memory and the last-resort values from the tiers, without asking any provider: at
  /// start, so the first screen and the first reads have values, marked stale when old.
  /// Returns how many requests got a value.
  func warm(_ requests: [Request]) async -> Int {
    var warmed: Set<Request> = []
    await walkTiers(requests) { request, value, age, _ in
      warmed.insert(request)
      let policy = policy(for: request)
      guard age < policy.servableAge else { return false }
      let key = definition.key(for: request)
      if context.memory.peek(key) == nil {
        context.memory.store(
          Stored(value), for: key, byteCount: value.approximateByteCount, storedAt: context.clock.now() - age,
          policy: policy)
      }
      return true
    }
    return warmed.count
  }

  /// The one walk down the tiers that reads and warming share: each tier is asked for the
  /// requests no tier above has settled. Every usable value is kept as a last resort and
  /// offered to `settle` with its age and tier; `settle` returns whether that value is good
  /// enough to stop looking. A value that is unusable (for another request, or failing the
  /// class's checks) or too old leaves the request to the tiers below.
  private func walkTiers(
    _ requests: [Request], settle: (_ request: Request, _ value: Value, _ age: Duration, _ tier: Int) -> Bool
  ) async {
    var missing = requests
    for (index, port) in ports.enumerated() where !missing.isEmpty {
      guard let port else { continue }
      var settled: Set<Request> = []
      for (request, value) in await port.load(missing) {
        guard definition.problem(with: value, for: request) == nil else { continue }
        keepAsLastResort(value, for: definition.key(for: request))
        if settle(request, value, age(of: value), index) { settled.insert(request) }
      }
      missing.removeAll { settled.contains($0) }
    }
  }

  private func keepAsLastResort(_ value: Value, for key: CacheKey) {
    lastValues.withLock { values in
      if let held = values.peek(key), !definition.isOlder(held, than: value) { return }
      _ = values.setValue(value, forKey: key, byteCount: value.approximateByteCount)
    }
  }

  // MARK: Acceptance

  /// Stores a value (in memory as old as it is, and in every tier but the one it came from)
  /// and announces it; returns what is now held. A value older than the one already held is
  /// refused (time never goes backwards) and the held one returned.
  func accept(
    _ value: Value, for request: Request, origin: Served<Value>.Origin = .upstream, age: Duration = .zero,
    fromTier: Int? = nil
  ) -> Value {
    let key = definition.key(for: request)
    if let held = lastValues.withLock({ $0.peek(key) }), definition.isOlder(value, than: held) {
      // A shared tier lagging behind is normal (another instance wrote before we fetched);
      // only a provider going back in time is worth an event.
      if fromTier == nil {
        context.publish(
          .dataQuality("rejected: \(request) from \(value.source) is older than the value held from \(held.source)"))
      }
      return held
    }
    context.memory.store(
      Stored(value), for: key, byteCount: value.approximateByteCount, storedAt: context.clock.now() - age,
      policy: policy(for: request))
    for (index, port) in ports.enumerated() where index != fromTier { port?.store([value]) }
    lastValues.withLock { _ = $0.setValue(value, forKey: key, byteCount: value.approximateByteCount) }
    let others = latestByProvider.withLock { latest in
      var byProvider = latest.peek(key) ?? [:]
      let others = Array(byProvider.values)
      byProvider[value.source] = value
      latest.setValue(byProvider, forKey: key, byteCount: byProvider.count * value.approximateByteCount)
      return others
    }
    for other in others {
      if let divergence = definition.divergence(between: value, and: other) {
        context.metrics.divergences.increment()
        context.publish(.dataQuality("divergence: " + divergence))
      }
    }
    for announcement in definition.announcements(of: Served(value, isStale: false, age: age, origin: origin)) {
      context.events.publish(MarketEvent(time: value.receivedAt, kind: announcement))
    }
    return value
  }

  // MARK: Forgetting

  /// Drops the last-resort values, provider comparisons and remembered unknown symbols that
  /// `scope` names in this class: an operator clearing bad data means it. (Memory and the
  /// tiers are cleared by the core, once for every class.)
  func forget(_ scope: InvalidationScope) {
    lastValues.withLock { _ = $0.removeAll(where: scope.matches) }
    latestByProvider.withLock { _ = $0.removeAll(where: scope.matches) }
    let kind = definition.kind
    unknownSymbols.withLock { unknown in
      for symbol in unknown.keys {
        let named: Bool
        switch scope {
        case .key(let key): named = key.kind == kind && key.symbol == symbol
        case .symbol(let target): named = target == symbol
        case .prefix(let prefix): named = CacheKey(kind, symbol).description.hasPrefix(prefix)
        case .all: named = true
        }
        if named { unknown[symbol] = nil }
      }
    }
  }
}
