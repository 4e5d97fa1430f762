import Foundation

/// What the core needs to know of any value it serves, whatever its data class: where it came
/// from, when this process received it, and roughly how much memory it holds.
public protocol MarketValue: Sendable {
  /// The provider that produced it: shown with every number.
  var source: ProviderID { get }
  /// When this process received it, from the injected clock: ages are measured from here.
  var receivedAt: Date { get }
  /// Prices from the embedded simulated market are never real and are always marked so.
  var isSimulated: Bool { get }
  /// Approximate resident size, used to bound the memory cache by bytes.
  var approximateByteCount: Int { get }
}
