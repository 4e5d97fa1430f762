/// Asking providers: the router's plan, the fan-out policy for one request, provider batches
/// for many, each call recorded and validated by the provider's runtime.
extension ReadPipeline {
  /// Many requests through single-flight: joins the flights already fetching some, and fetches
  /// the rest together (tiers first, then provider batches).
  /// A tier value younger than `freshEnough` (or, when nil, than the request's own refresh
  /// point) is taken as fetched.
  func fetchAll(
    _ requests: [Request], acceptingTierValuesYoungerThan freshEnough: Duration?
  ) async -> [Request: Result<Fetched, ReadError>] {
    var byKey: [CacheKey: Request] = [:]
    for request in requests { byKey[definition.key(for: request)] = request }
    let keyed = byKey
    let flights = self.flights.claim(
      Array(keyed.keys),
      batch: { [self] keys in
        let asked = keys.compactMap { keyed[$0] }
        let results = await fetchBatch(asked, acceptingTierValuesYoungerThan: freshEnough)
        var byKey: [CacheKey: Result<Fetched, ReadError>] = [:]
        for (request, result) in results { byKey[definition.key(for: request)] = result }
        return byKey
      },
      missing: { key in .allProvidersFailed(key.symbol, failures: []) })
    var results: [Request: Result<Fetched, ReadError>] = [:]
    for (key, flight) in flights {
      guard let request = keyed[key] else { continue }
      results[request] = await flight.value
    }
    return results
  }

  /// One request: the tiers, then the providers; in a fleet, only after claiming the key's
  /// lease (see ``ClusterFlights``).
  func fetchThroughTiers(_ request: Request) async -> Result<Fetched, ReadError> {
    if let value = await fromTiers([request], youngerThan: nil)[request] {
      return .success(Fetched(value: value, origin: .sharedTier))
    }
    guard let flights = fleetFlights else { return await fetchUpstream(request) }
    return await fetchOncePerFleet(request, flights)
  }

  /// The fleet's leases, when this class keeps values in a tier the fleet shares (without
  /// one, a waiter would have nowhere to find the holder's value).
  var fleetFlights: (any ClusterFlights)? {
    guard let flights = context.clusterFlights, ports.contains(where: { $0?.tier.isShared == true }) else { return nil }
    return flights
  }

  /// Claims the key's lease and asks upstream, or waits for the holder's value in the shared
  /// tier. A holder that released without a value (its call failed) or died (its lease
  /// expired) leaves the key to the next claim, so a failing key is asked by one instance at
  /// a time, not by all at once. After a few rounds without a value this instance asks anyway.
  /// `first` is a claim already made (by a batch).
  private func fetchOncePerFleet(
    _ request: Request, _ flights: any ClusterFlights, claimed first: FlightClaim? = nil
  ) async -> Result<Fetched, ReadError> {
    let key = definition.key(for: request)
    let counters = context.metrics.clusterFlights
    var pending = first
    var waited = false
    for _ in 0..<Self.leaseRounds {
      let claim: FlightClaim
      if let made = pending {
        claim = made
        pending = nil
      } else {
        claim = await flights.claim(key)
      }
      switch claim {
      case .holding:
        (waited ? counters.tookOver : counters.led).increment()
        let result = await fetchUpstream(request)
        await settle([key], succeeded: (try? result.get()) != nil, flights)
        return result
      case .unavailable:
        counters.alone.increment()
        return await fetchUpstream(request)
      case .heldElsewhere(_, let remaining):
        waited = true
        await flights.waitForRelease(of: key, upTo: remaining)
        if let value = await fromTiers([request], youngerThan: nil)[request] {
          counters.joined.increment()
          return .success(Fetched(value: value, origin: .sharedTier))
        }
      }
    }
    counters.tookOver.increment()
    return await fetchUpstream(request)
  }

  /// Releases leases this instance held, after the values reached the shared tiers.
  private func settle(_ keys: [CacheKey], succeeded: Bool, _ flights: any ClusterFlights) async {
    guard !keys.isEmpty else { return }
    if succeeded {
      for port in ports.compactMap({ $0 }) where port.tier.isShared { await port.tier.flush() }
    }
    await flights.release(keys)
  }

  /// Claims a waiter makes before it asks upstream without a lease.
  static var leaseRounds: Int { 4 }

  private func fetchUpstream(_ request: Request) async -> Result<Fetched, ReadError> {
    await fetch(request).map { Fetched(value: $0, origin: .upstream) }
  }

  /// Asks the router's candidates by the fan-out policy; the first success is accepted and
  /// returned, and nothing a losing request brings back ever replaces it. `earlier` holds what
  /// providers already asked (a batch's first choice) answered, so the conclusion names them.
  func fetch(
    _ request: Request, after earlier: [ProviderFailure] = [], skipped earlierSkips: [ProviderSkip] = [],
    excluding excluded: ProviderID? = nil
  ) async -> Result<Value, ReadError> {
    let symbol = definition.symbol(of: request)
    let now = context.clock.now()
    let (planned, skipped) = plan(request, at: now)
    let candidates = planned.filter { $0.id != excluded }
    var skips = earlierSkips + skipped.filter { $0.provider != excluded }
    guard !candidates.isEmpty else {
      if !earlier.isEmpty { return .failure(conclude(request, earlier)) }
      return .failure(.noProviderAvailable(symbol, skipped: skips))
    }
    let call: @Sendable (ProviderRuntime) async throws -> Value = { [self] runtime in
      guard let result = await ask(runtime, [request])[request] else { throw ProviderError.notAdmitted(.cannotServe) }
      return try result.get()
    }
    let result: FanOutResult<ProviderRuntime, Value>
    switch fanOut {
    case .failover:
      result = await FanOut.failover(candidates, clock: context.clock, call: call)
    case .firstWins:
      result = await FanOut.firstWins(candidates, clock: context.clock, call: call)
    case .hedged(let extraRatio, let delay, let minimumDelay, let maximumDelay):
      result = await FanOut.hedged(
        candidates,
        delay: { current, next in
          let chosen: Duration? =
            switch delay {
            case .tuned: current.tunedHedgeDelay(before: next, extraRatio: extraRatio, at: now)
            case .percentile(let percentile): current.latency(atPercentile: percentile, at: now)
            }
          return min(max(chosen ?? maximumDelay, minimumDelay), maximumDelay)
        },
        budget: context.hedgeBudget, clock: context.clock, call: call)
    }
    if result.attempts.count > 1 || result.refusedHedges > 0 { context.metrics.recordExtraRequests(result) }
    if let winner = result.winner {
      return .success(accept(winner.value, for: request))
    }
    var failures = earlier
    for attempt in result.attempts {
      switch attempt.outcome {
      case .failure(.notAdmitted(let reason)):
        skips.append(ProviderSkip(provider: attempt.candidate.id, reason: reason))
      case .failure(let error):
        failures.append(ProviderFailure(provider: attempt.candidate.id, error: error))
        if error != .unknownSymbol(symbol) { publishFailure(attempt.candidate.id, error, [symbol]) }
      case .success, .cancelled:
        break
      }
    }
    if failures.isEmpty {
      return .failure(Task.isCancelled ? .cancelled : .noProviderAvailable(symbol, skipped: skips))
    }
    return .failure(conclude(request, failures))
  }

  /// Many requests: what the tiers hold young enough, then the rest from providers (in a
  /// fleet, the ones this instance holds the leases of; it waits for the others' values).
  func fetchBatch(
    _ requests: [Request], acceptingTierValuesYoungerThan maximumAge: Duration?
  ) async -> [Request: Result<Fetched, ReadError>] {
    var results: [Request: Result<Fetched, ReadError>] = [:]
    let held = await fromTiers(requests, youngerThan: maximumAge)
    for (request, value) in held { results[request] = .success(Fetched(value: value, origin: .sharedTier)) }
    let missing = requests.filter { held[$0] == nil }
    guard let flights = fleetFlights, !missing.isEmpty else {
      return results.merging(await askInBatches(missing)) { $1 }
    }
    // In a fleet: ask for the keys this instance could claim, and meanwhile wait for the
    // values of those another instance is asking for.
    let keys = missing.map(definition.key(for:))
    let claims = await flights.claim(keys)
    var mine: [Request] = []
    var leased: [CacheKey] = []
    var elsewhere: [(Request, FlightClaim)] = []
    for (request, key) in zip(missing, keys) {
      let claim = claims[key] ?? .unavailable
      switch claim {
      case .holding:
        mine.append(request)
        leased.append(key)
        context.metrics.clusterFlights.led.increment()
      case .unavailable:
        mine.append(request)
        context.metrics.clusterFlights.alone.increment()
      case .heldElsewhere:
        elsewhere.append((request, claim))
      }
    }
    async let joined = withTaskGroup(of: (Request, Result<Fetched, ReadError>).self) { group in
      for (request, claim) in elsewhere {
        group.addTask { [self] in (request, await fetchOncePerFleet(request, flights, claimed: claim)) }
      }
      var joined: [Request: Result<Fetched, ReadError>] = [:]
      for await (request, result) in group { joined[request] = result }
      return joined
    }
    let asked = await askInBatches(mine)
    await settle(leased, succeeded: asked.values.contains { (try? $0.get()) != nil }, flights)
    results.merge(asked) { $1 }
    results.merge(await joined) { $1 }
    return results
  }

  /// Requests no tier held, from providers: grouped by each request's first-choice provider
  /// in chunks of its batch size, a bounded number of chunks at once.
  private func askInBatches(_ requests: [Request]) async -> [Request: Result<Fetched, ReadError>] {
    var results: [Request: Result<Fetched, ReadError>] = [:]
    guard !requests.isEmpty else { return results }
    var groups: [ProviderID: (runtime: ProviderRuntime, size: Int, requests: [Request])] = [:]
    for request in requests {
      let symbol = definition.symbol(of: request)
      let (candidates, skipped) = plan(request, at: context.clock.now())
      let sized = candidates.map { ($0, batchSize(of: $0, for: request)) }
      guard let (first, size) = sized.first(where: { $0.1 > 1 }) ?? sized.first else {
        results[request] = .failure(.noProviderAvailable(symbol, skipped: skipped))
        continue
      }
      groups[first.id, default: (first, size, [])].requests.append(request)
    }
    var chunks: [(ProviderRuntime, [Request])] = []
    for (runtime, size, requests) in groups.values {
      for start in stride(from: 0, to: requests.count, by: size) {
        chunks.append((runtime, Array(requests[start..<min(start + size, requests.count)])))
      }
    }
    context.metrics.refreshQueueDepth.record(chunks.count)
    await withTaskGroup(of: [Request: Result<Fetched, ReadError>].self) { group in
      var next = 0
      func startNext() {
        guard next < chunks.count else { return }
        let (runtime, chunk) = chunks[next]
        next += 1
        group.addTask { [self] in await fetchChunk(chunk, from: runtime) }
      }
      for _ in 0..<min(context.batchConcurrency, chunks.count) { startNext() }
      for await chunkResults in group {
        results.merge(chunkResults) { $1 }
        context.metrics.refreshQueueDepth.record(chunks.count - next)
        startNext()
      }
    }
    return results
  }

  /// One provider batch; a request its first choice could not answer goes on to the others,
  /// one by one, carrying what the first choice said.
  private func fetchChunk(_ requests: [Request], from runtime: ProviderRuntime) async -> [Request: Result<Fetched, ReadError>] {
    let answers = await ask(runtime, requests)
    var results: [Request: Result<Fetched, ReadError>] = [:]
    var failed: [(Request, ProviderError)] = []
    var reported: ProviderError?
    for request in requests {
      switch answers[request] ?? .failure(.notAdmitted(.cannotServe)) {
      case .success(let value):
        results[request] = .success(Fetched(value: accept(value, for: request), origin: .upstream))
      case .failure(let error):
        switch error {
        case .unknownSymbol, .notAdmitted: break
        default: reported = reported ?? error
        }
        failed.append((request, error))
      }
    }
    if let reported { publishFailure(runtime.id, reported, failed.map { definition.symbol(of: $0.0) }) }
    for (request, error) in failed {
      let fallback: Result<Value, ReadError>
      if case .notAdmitted(let reason) = error {
        fallback = await fetch(request, skipped: [ProviderSkip(provider: runtime.id, reason: reason)], excluding: runtime.id)
      } else {
        fallback = await fetch(request, after: [ProviderFailure(provider: runtime.id, error: error)], excluding: runtime.id)
      }
      results[request] = fallback.map { Fetched(value: $0, origin: .upstream) }
    }
    return results
  }

  // MARK: One provider

  /// The router's order for the request among providers with this class's capability.
  private func plan(_ request: Request, at now: MarketInstant) -> (candidates: [ProviderRuntime], skipped: [ProviderSkip]) {
    context.router.plan(for: definition.symbol(of: request), at: now) { definition.source($0, for: request) != nil }
  }

  private func batchSize(of runtime: ProviderRuntime, for request: Request) -> Int {
    definition.source(runtime.provider, for: request).map(definition.batchSize(of:)) ?? 1
  }

  /// One recorded upstream call for up to one batch, validated inside the call; a rejected
  /// value is announced with its reason.
  func ask(_ runtime: ProviderRuntime, _ requests: [Request]) async -> [Request: Result<Value, ProviderError>] {
    guard let first = requests.first, let source = definition.source(runtime.provider, for: first) else {
      return Dictionary(requests.map { ($0, .failure(.notAdmitted(.cannotServe))) }) { first, _ in first }
    }
    let definition = self.definition
    let answers = await runtime.call(requests, { try await definition.fetch($0, from: source) }) { request, value in
      definition.problem(with: value, for: request)
    }
    for case .failure(.badData(let reason)) in answers.values {
      context.publish(.dataQuality("rejected: " + reason))
    }
    return answers
  }

  func publishFailure(_ provider: ProviderID, _ error: ProviderError, _ symbols: [Symbol]) {
    context.publish(.providerError(provider, error, symbols: symbols))
  }

  /// Turns the failures of every provider asked into one error; "unknown" only when every
  /// provider said so, and then it is remembered for the negative TTL.
  func conclude(_ request: Request, _ failures: [ProviderFailure]) -> ReadError {
    let symbol = definition.symbol(of: request)
    if !failures.isEmpty, failures.allSatisfy({ $0.error == .unknownSymbol(symbol) }) {
      rememberUnknown(symbol, for: request)
      return .unknownSymbol(symbol)
    }
    return .allProvidersFailed(symbol, failures: failures)
  }
}
