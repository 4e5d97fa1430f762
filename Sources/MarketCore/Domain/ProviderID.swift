/// The name a provider is configured under (`openbb`, `finnhub`, `sim-alpha`); it appears on
/// every quote so a reader always knows where a price came from.
public struct ProviderID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
  ExpressibleByStringLiteral
{
  public let name: String

  public init(_ name: String) { self.name = name }
  public init(stringLiteral value: String) { self.name = value }

  public var description: String { name }
  public static func < (lhs: ProviderID, rhs: ProviderID) -> Bool { lhs.name < rhs.name }

  public init(from decoder: any Decoder) throws {
    self.name = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(name)
  }
}
