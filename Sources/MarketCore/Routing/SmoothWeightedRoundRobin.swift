/// nginx's smooth weighted round-robin: over any run of picks each member is chosen in
/// proportion to its weight, and picks of a heavy member are spread out rather than bunched
/// (weights 5, 1, 1 pick a a b a c a a, not a a a a a b c). Deterministic: the same
/// weights in the same order always give the same sequence.
///
/// Each pick adds every member's weight to its running score, picks the highest score
/// (the first on a tie) and subtracts the total weight from the winner's score. The
/// candidate set may change between picks (a breaker opens); absent members keep their
/// score.
public struct SmoothWeightedRoundRobin<Member: Hashable & Sendable>: Sendable {
  private var scores: [Member: Double] = [:]

  public init() {}

  /// Orders `members` for one request: the pick first, then the others by score (the next
  /// most deserving first), members with no positive weight last in their given order.
  /// Duplicates are dropped.
  public mutating func order(_ members: [Member], weight: (Member) -> Double) -> [Member] {
    var seen = Set<Member>()
    var weighted: [(member: Member, weight: Double)] = []
    var unweighted: [Member] = []
    for member in members where seen.insert(member).inserted {
      let value = weight(member)
      if value > 0, value.isFinite { weighted.append((member, value)) } else { unweighted.append(member) }
    }
    guard !weighted.isEmpty else { return unweighted }
    var total = 0.0
    var best = 0
    for (index, entry) in weighted.enumerated() {
      let score = scores[entry.member, default: 0] + entry.weight
      scores[entry.member] = score
      total += entry.weight
      if score > scores[weighted[best].member, default: 0] { best = index }
    }
    let winner = weighted[best].member
    scores[winner, default: 0] -= total
    let rest = weighted.indices.filter { $0 != best }
      .sorted { lhs, rhs in
        let left = scores[weighted[lhs].member, default: 0]
        let right = scores[weighted[rhs].member, default: 0]
        return left != right ? left > right : lhs < rhs
      }
      .map { weighted[$0].member }
    return [winner] + rest + unweighted
  }

  /// The one member to use for this request, or nil when none has a positive weight.
  public mutating func pick(_ members: [Member], weight: (Member) -> Double) -> Member? {
    let ordered = order(members, weight: weight)
    guard let first = ordered.first, weight(first) > 0 else { return nil }
    return first
  }
}
