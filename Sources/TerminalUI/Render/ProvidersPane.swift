import MarketCore

/// Providers: priority, state, latency, error rate, request rate, quota and cost.
enum ProvidersPane {
  static func render(_ state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    guard !rect.isEmpty else { return }
    let view = state.shown
    let focused = state.overlay == nil && state.focus == .providers
    buffer.drawTitleRule("Providers", in: rect.rows(from: 0, count: 1), focused: focused)
    let nameWidth = max(8, view.providers.map { DisplayWidth.of($0.id.name) }.max() ?? 8)
    let columns = TableColumn.fit(
      [
        TableColumn(header: "", width: 1, priority: 0),
        TableColumn(header: "provider", width: nameWidth, priority: 0),
        TableColumn(header: "pri", width: 3, alignment: .right, priority: 3),
        TableColumn(header: "state", width: 8, priority: 1),
        TableColumn(header: "p50", width: 6, alignment: .right, priority: 4),
        TableColumn(header: "p99", width: 6, alignment: .right, priority: 5),
        TableColumn(header: "err", width: 6, alignment: .right, priority: 2),
        TableColumn(header: "req/s", width: 5, alignment: .right, priority: 6),
        TableColumn(header: "quota", width: 11, alignment: .right, priority: 7),
        TableColumn(header: "cost", width: 7, alignment: .right, priority: 8, flexible: false),
      ], width: rect.width)
    ProviderTable.draw(columns, state: state, in: rect, into: &buffer) { provider, column in
      switch column.header {
      case "pri": return (String(provider.priority), .dim)
      case "state": return describe(provider)
      case "p50": return (Format.latency(provider.health.p50), .normal)
      case "p99": return (Format.latency(provider.health.p99), .normal)
      case "err": return (errorRate(provider), (provider.health.errorRate ?? 0) > 0.1 ? .warning : .normal)
      case "req/s": return (Format.rate(view.requestsPerSecond(provider)), .normal)
      case "quota": return (quota(provider.limits), provider.limits.isExhausted ? .warning : .normal)
      default: return (Format.money(provider.limits.costSpent), .normal)
      }
    }
  }

  /// The provider's state in one word and its role.
  static func describe(_ provider: ProviderStatus) -> (String, Role) {
    if !provider.isEnabled { return ("disabled", .breakerDisabled) }
    if !provider.breaker.state.admitsCalls { return ("down", .error) }
    if provider.limits.isExhausted { return ("limited", .warning) }
    // Its cluster-wide budget is counted here alone, at a share, while Redis is away.
    if case .localShare(let instances, _)? = provider.budget { return ("local1/\(instances)", .warning) }
    return ("up", .ok)
  }

  static func errorRate(_ provider: ProviderStatus) -> String {
    guard let rate = provider.health.errorRate else { return "–" }
    return Format.fixed(rate * 100, decimals: 1) + "%"
  }

  static func quota(_ limits: LimitStatus) -> String {
    guard let daily = limits.dailyQuota else { return limits.quotaUsed > 0 ? Format.count(limits.quotaUsed) : "–" }
    return "\(Format.count(limits.quotaUsed))/\(Format.count(daily))"
  }
}

/// Circuit breakers: state, failure and slow-call rates against thresholds, time to the
/// next probe and the last transition's reason.
enum BreakersPane {
  static func render(_ state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    guard !rect.isEmpty else { return }
    let view = state.shown
    let focused = state.overlay == nil && state.focus == .breakers
    buffer.drawTitleRule("Circuit breakers", in: rect.rows(from: 0, count: 1), focused: focused)
    let nameWidth = max(8, view.providers.map { DisplayWidth.of($0.id.name) }.max() ?? 8)
    let columns = TableColumn.fit(
      [
        TableColumn(header: "", width: 1, priority: 0),
        TableColumn(header: "provider", width: nameWidth, priority: 0),
        TableColumn(header: "breaker", width: 11, priority: 0),
        TableColumn(header: "fail/limit", width: 10, alignment: .right, priority: 2),
        TableColumn(header: "slow/limit", width: 10, alignment: .right, priority: 4),
        TableColumn(header: "probe", width: 6, alignment: .right, priority: 3),
        TableColumn(header: "last transition", width: 15, priority: 5, flexible: true),
      ], width: rect.width)
    ProviderTable.draw(columns, state: state, in: rect, into: &buffer) { provider, column in
      let breaker = provider.breaker
      switch column.header {
      case "breaker": return (breaker.state.rawValue, Self.role(of: breaker.state))
      case "fail/limit":
        return (
          rate(breaker.failureRate, breaker.failureRateThreshold), exceeds(breaker.failureRate, breaker.failureRateThreshold)
        )
      case "slow/limit":
        return (
          rate(breaker.slowCallRate, breaker.slowCallRateThreshold), exceeds(breaker.slowCallRate, breaker.slowCallRateThreshold)
        )
      case "probe": return (breaker.nextProbeIn.map { "in " + Format.seconds($0) } ?? "–", .normal)
      default: return (breaker.lastTransitionReason ?? "–", .dim)
      }
    }
  }

  static func role(of state: BreakerState) -> Role {
    switch state {
    case .closed: .breakerClosed
    case .open: .breakerOpen
    case .halfOpen: .breakerHalfOpen
    case .forcedOpen: .breakerForcedOpen
    case .disabled, .metricsOnly: .breakerDisabled
    }
  }

  static func rate(_ value: Double?, _ threshold: Double) -> String {
    (value.map { Format.fixed($0, decimals: 0) } ?? "–") + "/" + Format.fixed(threshold, decimals: 0) + "%"
  }

  static func exceeds(_ value: Double?, _ threshold: Double) -> Role {
    guard let value else { return .dim }
    return value >= threshold ? .error : .normal
  }
}

/// The cache: entries, bytes, hit ratio, evictions, stale serves per tier (or why a tier is
/// down), and refreshes in flight.
enum CachePane {
  static func render(_ state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    guard !rect.isEmpty else { return }
    let focused = state.overlay == nil && state.focus == .cache
    buffer.drawTitleRule("Cache", in: rect.rows(from: 0, count: 1), focused: focused)
    var lines: [[(String, Role)]] = []
    let tiers = state.shown.cacheTiers
    // Three lines a tier when they fit (L1 alone, or a tall pane), else one line each.
    let detailed = tiers.count * 3 <= rect.height - 1
    for tier in tiers {
      if let reason = tier.unavailable {
        lines.append([(tier.tier, .title), (" down: ", .error), (reason, .warning)])
        continue
      }
      if !detailed {
        lines.append([
          (tier.tier, .title), (" hit ", .label), (Format.ratio(tier.hitRatio), .normal), (" · ", .dim),
          (Format.count(tier.entries), .normal), (" · ", .dim), (Format.bytes(tier.bytes), .normal),
        ])
        continue
      }
      lines.append([(tier.tier, .title), ("  hit ", .label), (Format.ratio(tier.hitRatio), .normal)])
      lines.append([
        (" \(Format.count(tier.entries)) entries", .normal), (" · ", .dim),
        (Format.bytes(tier.bytes), .normal),
      ])
      lines.append([
        (" evicted \(Format.count(tier.evictions))", .normal), (" · ", .dim),
        ("stale \(Format.count(tier.staleServes))", tier.staleServes > 0 ? .warning : .normal),
      ])
    }
    if tiers.isEmpty { lines.append([("no cache statistics yet", .dim)]) }
    let refreshing = tiers.reduce(0) { $0 + $1.refreshesInFlight }
    lines.append([("refreshing ", .label), ("\(refreshing)", .normal)])
    for (index, segments) in lines.enumerated() {
      let row = rect.row + 1 + index
      guard row < rect.bottom else { break }
      var column = rect.column
      for (text, role) in segments { column += buffer.write(text, row: row, column: column, role: role, clip: rect) }
    }
  }
}

/// Breaker transitions, operator actions and provider errors, newest first.
enum EventsPane {
  static func render(_ state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer) {
    guard !rect.isEmpty else { return }
    let events = state.shown.events
    let focused = state.overlay == nil && state.focus == .events
    let scroll = min(state.eventsScroll, max(0, events.count - 1))
    buffer.drawTitleRule(
      "Events, newest first", in: rect.rows(from: 0, count: 1), focused: focused, right: scroll > 0 ? "↑ \(scroll) newer" : nil)
    let body = rect.rows(from: 1)
    if events.isEmpty {
      buffer.write("nothing yet", in: body.rows(from: 0, count: 1), role: .dim)
      return
    }
    for (index, line) in events.dropFirst(scroll).prefix(body.height).enumerated() {
      let row = body.row + index
      var column = body.column
      column += buffer.write(
        Format.clock(line.time, utcOffset: state.utcOffset) + " ", row: row, column: column, role: .dim, clip: body)
      column += buffer.write(
        line.kind.rawValue.padded(toWidth: 10), row: row, column: column, role: role(of: line.kind), clip: body)
      buffer.write(
        line.text.truncated(toWidth: body.right - column), row: row, column: column,
        role: line.kind == .dashboard ? .eventError : .normal, clip: body)
    }
  }

  static func role(of kind: EventLine.Kind) -> Role {
    switch kind {
    case .breaker: .eventBreaker
    case .operator, .watchlist, .cache: .eventOperator
    case .error, .dashboard: .eventError
    case .quality: .warning
    }
  }
}

/// The table the providers and breakers panes share: one row per provider under a header,
/// the selection marker and the provider's name first, the pane's own columns after.
enum ProviderTable {
  static func draw(
    _ columns: [TableColumn], state: DashboardState, in rect: Rect, into buffer: inout ScreenBuffer,
    cell: (ProviderStatus, TableColumn) -> (String, Role)
  ) {
    let offsets = TableColumn.offsets(columns, from: rect.column)
    let header = rect.row + 1
    for (column, offset) in zip(columns, offsets) {
      buffer.write(
        column.header.padded(toWidth: column.width, alignment: column.alignment), row: header, column: offset, role: .label,
        clip: rect)
    }
    let selectionVisible = state.overlay == nil && (state.focus == .providers || state.focus == .breakers)
    for (index, provider) in state.shown.providers.enumerated() {
      let row = header + 1 + index
      guard row < rect.bottom else { break }
      let selected = selectionVisible && index == state.providerSelection
      for (column, offset) in zip(columns, offsets) {
        let (text, role): (String, Role)
        switch column.header {
        case "": (text, role) = (selected ? "▸" : " ", selected ? .selected : .normal)
        case "provider": (text, role) = (provider.id.name, selected ? .selected : .normal)
        default: (text, role) = cell(provider, column)
        }
        buffer.write(
          text.padded(toWidth: column.width, alignment: column.alignment), row: row, column: offset, role: role, clip: rect)
      }
    }
  }
}
