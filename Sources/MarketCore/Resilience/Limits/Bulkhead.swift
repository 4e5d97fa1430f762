/// At most `maximumConcurrent` calls to one provider in flight, so one slow provider cannot
/// hold every task the core has.
public struct Bulkhead: Hashable, Sendable {
  public let maximumConcurrent: Int
  public private(set) var inFlight = 0

  public init(maximumConcurrent: Int) {
    self.maximumConcurrent = max(1, maximumConcurrent)
  }

  public var isFull: Bool { inFlight >= maximumConcurrent }

  public mutating func tryAcquire() -> Bool {
    guard !isFull else { return false }
    inFlight += 1
    return true
  }

  public mutating func release() {
    inFlight = max(0, inFlight - 1)
  }
}
