extension StringProtocol {
  /// The lines of a text file without their LF or CRLF ends (a final newline leaves an empty
  /// last line), so the nth element is the line an editor calls n. Splitting on "\n" alone is
  /// not enough: "\r\n" is one Character in Swift, so a CRLF file would be a single line.
  public var textFileLines: [SubSequence] {
    split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
  }
}
