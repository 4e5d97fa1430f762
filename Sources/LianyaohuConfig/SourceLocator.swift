import MarketCore

/// Finds the line a key was written on, so errors found after parsing (a wrong type, an
/// unknown key, an invalid symbol) can still name the line. TOMLKit reports lines only for
/// syntax errors.
struct SourceLocator {
  private var lines: [(table: [String], key: String?, line: Int)] = []

  init(text: String) {
    var table: [String] = []
    var lineNumber = 0
    for rawLine in text.textFileLines {
      lineNumber += 1
      let line = rawLine.drop { $0 == " " || $0 == "\t" }
      if line.hasPrefix("[") {
        let isArray = line.hasPrefix("[[")
        let inner = line.dropFirst(isArray ? 2 : 1).prefix { $0 != "]" }
        table = Self.splitKey(inner)
        lines.append((table, nil, lineNumber))
      } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
        let keyPath = Self.splitKey(line[..<equals])
        guard let last = keyPath.last else { continue }
        lines.append((table + keyPath.dropLast(), last, lineNumber))
      }
    }
  }

  /// The line of `key` inside `table` (or of the table's header when `key` is nil).
  func line(table: [String], key: String?) -> Int? {
    if let line = lines.first(where: { $0.table == table && $0.key == key })?.line { return line }
    guard let key else { return nil }
    // A key that is itself a table declared by a header (`[watchlists.zhong-kui]`), else the
    // enclosing table's header.
    return lines.first { $0.table == table + [key] && $0.key == nil }?.line
      ?? lines.first { $0.table == table && $0.key == nil }?.line
  }

  private static func splitKey(_ text: Substring) -> [String] {
    text.split(separator: ".").map {
      $0.trimmingCharacters(in: [" ", "\t", "\"", "'"])
    }
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
    var slice = self[...]
    while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
    while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
    return String(slice)
  }
}
