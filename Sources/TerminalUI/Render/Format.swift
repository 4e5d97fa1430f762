import Foundation

/// Number and time formatting for the panes: fixed, locale-independent and allocation-light,
/// so a frame looks the same on every machine and golden snapshots are stable.
public enum Format {
  /// `value` with exactly `decimals` digits after the point, optionally with a sign.
  static func fixed(_ value: Double, decimals: Int, signed: Bool = false) -> String {
    guard value.isFinite else { return "–" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return value < 0 ? "-∞" : "∞" }
    let units = Int64(scaled)
    let divisor = Int64(scale)
    var text = String(units / divisor)
    if decimals > 0 {
      let fraction = String(units % divisor)
      text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
    let isZero = units == 0
    if value < 0, !isZero { return "-" + text }
    return signed && !isZero ? "+" + text : text
  }

  /// Prices: four decimals under 10 (FX, penny stocks), two otherwise.
  public static func price(_ value: Double) -> String {
    fixed(value, decimals: abs(value) < 10 ? 4 : 2)
  }

  /// A signed change in the price's own precision.
  static func change(_ value: Double, price: Double) -> String {
    fixed(value, decimals: abs(price) < 10 ? 4 : 2, signed: true)
  }

  /// A signed percentage that never takes more than 6 columns for moves under 1000 %.
  static func percent(_ value: Double) -> String {
    let magnitude = abs(value)
    return fixed(value, decimals: magnitude < 10 ? 2 : (magnitude < 100 ? 1 : 0), signed: true) + "%"
  }

  /// A ratio 0…1 as a percentage with one decimal.
  static func ratio(_ value: Double?) -> String {
    guard let value else { return "–" }
    return fixed(value * 100, decimals: value >= 0.9995 || value == 0 ? 0 : 1) + "%"
  }

  /// An age in the largest unit that keeps it short: `0s`, `59s`, `12m`, `3h`, `5d`.
  static func age(_ seconds: TimeInterval) -> String {
    let seconds = max(0, seconds)
    if seconds < 60 { return "\(Int(seconds))s" }
    if seconds < 3600 { return "\(Int(seconds / 60))m" }
    if seconds < 86_400 { return "\(Int(seconds / 3600))h" }
    return "\(Int(seconds / 86_400))d"
  }

  /// A latency: `850µs`, `31ms`, `1.2s`.
  static func latency(_ duration: Duration?) -> String {
    guard let duration else { return "–" }
    let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    if milliseconds < 1 { return "\(Int(milliseconds * 1000))µs" }
    if milliseconds < 1000 { return "\(Int(milliseconds.rounded()))ms" }
    return fixed(milliseconds / 1000, decimals: 1) + "s"
  }

  static func seconds(_ duration: Duration) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return seconds < 10 ? fixed(seconds, decimals: 1) + "s" : "\(Int(seconds.rounded()))s"
  }

  static func bytes(_ count: Int) -> String {
    let value = Double(count)
    if count < 1000 { return "\(count) B" }
    if value < 1e6 { return fixed(value / 1e3, decimals: value < 1e4 ? 1 : 0) + " kB" }
    if value < 1e9 { return fixed(value / 1e6, decimals: value < 1e7 ? 1 : 0) + " MB" }
    return fixed(value / 1e9, decimals: 1) + " GB"
  }

  /// Counts: exact under 10 000, then `12.3k`, `4.5M`.
  static func count(_ value: Int) -> String {
    if value < 10_000 { return String(value) }
    if value < 1_000_000 { return fixed(Double(value) / 1e3, decimals: value < 100_000 ? 1 : 0) + "k" }
    return fixed(Double(value) / 1e6, decimals: 1) + "M"
  }

  static func rate(_ value: Double?) -> String {
    guard let value else { return "–" }
    return fixed(value, decimals: value < 10 ? 1 : 0)
  }

  static func money(_ value: Double) -> String {
    "$" + fixed(value, decimals: value < 100 ? 2 : 0)
  }

  /// `HH:mm:ss` of a wall-clock time at a fixed offset from UTC.
  static func clock(_ date: Date, utcOffset: Int) -> String {
    let seconds = Int64((date.timeIntervalSince1970).rounded(.down)) + Int64(utcOffset)
    let daySeconds = ((seconds % 86_400) + 86_400) % 86_400
    return two(Int(daySeconds / 3600)) + ":" + two(Int(daySeconds / 60 % 60)) + ":" + two(Int(daySeconds % 60))
  }

  private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
