import Foundation
import MarketCore

/// A complete response as a plain value, handed to an adapter's parser.
///
/// The transport fills it in (status, headers, body, its clock's `receivedAt`) and copies the
/// request's symbols and the provider's ID, so parsing needs nothing else and tests can build
/// one from a fixture file.
public struct HTTPResponseSnapshot: Hashable, Sendable, CustomStringConvertible {
  public var status: Int
  public var headers: [HTTPHeader]
  public var body: [UInt8]
  /// The canonical symbols the request asked for (``HTTPRequestSpec/symbols``).
  public var symbols: [Symbol]
  public var receivedAt: Date
  public var source: ProviderID

  public init(
    status: Int, headers: [HTTPHeader] = [], body: [UInt8], symbols: [Symbol], receivedAt: Date, source: ProviderID
  ) {
    self.status = status
    self.headers = headers
    self.body = body
    self.symbols = symbols
    self.receivedAt = receivedAt
    self.source = source
  }

  /// The first value of a header, compared case-insensitively.
  public func header(_ name: String) -> String? {
    let lowered = name.lowercased()
    return headers.first { $0.name.lowercased() == lowered }?.value
  }

  public var isSuccess: Bool { (200..<300).contains(status) }

  /// Status, size and symbols only: bodies and headers may carry cookies or echoed keys.
  public var description: String {
    "HTTP \(status) from \(source), \(body.count) bytes for \(symbols.map(\.text).joined(separator: ","))"
  }
}
