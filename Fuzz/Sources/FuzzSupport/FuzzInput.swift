/// The bytes libFuzzer hands a target, read front to back: targets take a few header bytes
/// (a status, a symbol selection, chunk sizes) and treat the rest as the document.
public struct FuzzInput {
  public private(set) var remaining: ArraySlice<UInt8>

  public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
    remaining = Array(UnsafeBufferPointer(start: data, count: size))[...]
  }

  public init(_ bytes: [UInt8]) {
    remaining = bytes[...]
  }

  /// The next byte, or 0 once the input is used up (so short inputs still run).
  public mutating func byte() -> UInt8 {
    remaining.popFirst() ?? 0
  }

  /// Everything not taken yet.
  public mutating func rest() -> [UInt8] {
    defer { remaining = [] }
    return Array(remaining)
  }
}

/// Fails the run with `message` when an invariant does not hold: libFuzzer reports the trap
/// as a crash and saves the input, like any other crash.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fatalError("invariant violated: \(message())") }
}
