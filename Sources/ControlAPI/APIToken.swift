import Foundation

/// The bearer token that guards mutating routes. It never prints: its description is redacted,
/// so a token can reach neither a log line nor a response by accident.
public struct APIToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  private let bytes: [UInt8]

  /// Nil for an empty or blank value: an empty token would let everyone in.
  public init?(_ text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { return nil }
    self.bytes = Array(trimmed.utf8)
  }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }

  /// Compares in time that depends only on the lengths, not on where the first difference is.
  public func matches(_ candidate: some StringProtocol) -> Bool {
    let other = Array(candidate.utf8)
    var difference: UInt8 = bytes.count == other.count ? 0 : 1
    for index in 0..<bytes.count {
      difference |= bytes[index] ^ (index < other.count ? other[index] : 0)
    }
    return difference == 0
  }
}
