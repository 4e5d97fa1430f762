import Synchronization

/// A thread-safe list that escaping closures can append to (a `Mutex` alone is
/// non-copyable and cannot be captured).
public final class Recorder<Element: Sendable>: Sendable {
  private let storage = Mutex<[Element]>([])

  public init() {}

  public func append(_ element: Element) { storage.withLock { $0.append(element) } }
  public var values: [Element] { storage.withLock { $0 } }
  public var count: Int { storage.withLock { $0.count } }
}
