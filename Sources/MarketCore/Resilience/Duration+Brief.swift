extension Duration {
  /// A short human form for transition reasons and skip messages: `250 ms`, `1.5 s`, `15 s`,
  /// `2 min`.
  var brief: String {
    let nanoseconds = self.nanoseconds
    if nanoseconds < 1_000_000_000 {
      return "\(Int((Double(nanoseconds) / 1e6).rounded())) ms"
    }
    let seconds = Double(nanoseconds) / 1e9
    if seconds >= 120, seconds.truncatingRemainder(dividingBy: 60) == 0 {
      return "\(Int(seconds / 60)) min"
    }
    if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
    return "\((seconds * 10).rounded() / 10) s"
  }
}

extension Double {
  /// A rate or threshold in percent, rounded to a whole number for reasons and logs.
  var percentText: String { "\(Int(self.rounded()))%" }
}
