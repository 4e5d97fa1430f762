import TOMLKit

/// Typed reads from one TOML table that turn every mistake into a ``ConfigurationError``
/// naming the file, the line and the dotted key, and reject keys nobody reads (a typo must
/// not be silently ignored).
struct TOMLReader {
  let table: TOMLTable
  let path: [String]
  let file: String
  let locator: SourceLocator

  init(text: String, file: String) throws(ConfigurationError) {
    if let (line, reason) = Self.textTOMLKitCannotReport(text) {
      throw ConfigurationError(file: file, line: line, key: nil, message: "not valid TOML: \(reason)")
    }
    do {
      table = try TOMLTable(string: text)
    } catch let error as TOMLParseError {
      throw ConfigurationError(
        file: file, line: error.source.begin.line, key: nil, message: "not valid TOML: \(error.description)")
    } catch {
      throw ConfigurationError(file: file, line: nil, key: nil, message: "not valid TOML: \(error)")
    }
    path = []
    self.file = file
    locator = SourceLocator(text: text)
  }

  /// The first line toml++ (inside TOMLKit) would not report as an error, and why it is wrong.
  ///
  /// toml++ only asserts some malformed input instead of reporting it, and TOMLKit builds it
  /// with assertions on, so such a file aborted the process. Found by fuzzing
  /// (Fuzz/Regressions/config):
  /// - a table header whose name starts with anything but a bare-key character or a quote
  ///   (`[!]`, `[é]`, a `[` alone);
  /// - a date followed by `T` and no time (`1979-05-27T:32:00`);
  /// - a `}` where an array expects a value (`[}`, `[1, }`).
  /// The scan is byte-level and conservative: such text inside a multi-line string, an array
  /// or a comment is refused too; no config of ours needs it.
  static func textTOMLKitCannotReport(_ text: String) -> (line: Int, reason: String)? {
    let bareKey = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-\"'".utf8)
    let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    let dateShape = Array("dddd-dd-dd".utf8)
    if let line = braceWhereArrayValueBelongs(text) {
      return (line, "a } cannot stand where an array expects a value")
    }
    var lineNumber = 0
    for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      let bytes = Array(line)
      // `dddd-dd-ddT` must be followed by a digit (the hour).
      if bytes.count > dateShape.count {
        for start in 0..<(bytes.count - dateShape.count) {
          let end = start + dateShape.count
          guard bytes[end] == UInt8(ascii: "T") || bytes[end] == UInt8(ascii: "t") else { continue }
          let isDate = zip(bytes[start..<end], dateShape).allSatisfy { byte, shape in
            shape == UInt8(ascii: "d") ? isDigit(byte) : byte == shape
          }
          if isDate, end + 1 == bytes.count || !isDigit(bytes[end + 1]) {
            return (lineNumber, "a date followed by T needs a time (HH:MM:SS)")
          }
        }
      }
      var rest = bytes[...]
      if lineNumber == 1, rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
      rest = rest.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
      guard rest.first == UInt8(ascii: "[") else { continue }
      rest = rest.dropFirst()
      if rest.first == UInt8(ascii: "[") { rest = rest.dropFirst() }
      rest = rest.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
      // `[]` is reported properly by toml++ itself.
      guard let first = rest.first, first == UInt8(ascii: "]") || bareKey.contains(first) else {
        return (lineNumber, "a table name must start with a letter, a digit, -, _ or a quote")
      }
    }
    return nil
  }

  /// The line of a `}` whose previous byte, past whitespace, line ends and comments, is `[` or
  /// `,`. Comments are cut at every `#`, even one inside a string: conservative again.
  private static func braceWhereArrayValueBelongs(_ text: String) -> Int? {
    var bytes = Array(text.utf8)
    var inComment = false
    for index in bytes.indices {
      if bytes[index] == UInt8(ascii: "\n") {
        inComment = false
      } else if inComment || bytes[index] == UInt8(ascii: "#") {
        inComment = true
        bytes[index] = UInt8(ascii: " ")
      }
    }
    let blank: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
    for index in bytes.indices where bytes[index] == UInt8(ascii: "}") {
      guard let previous = bytes[..<index].lastIndex(where: { !blank.contains($0) }),
        bytes[previous] == UInt8(ascii: "[") || bytes[previous] == UInt8(ascii: ",")
      else { continue }
      return bytes[..<index].count(where: { $0 == UInt8(ascii: "\n") }) + 1
    }
    return nil
  }

  private init(table: TOMLTable, path: [String], file: String, locator: SourceLocator) {
    self.table = table
    self.path = path
    self.file = file
    self.locator = locator
  }

  var keys: [String] { table.keys }

  func error(_ key: String?, _ message: String) -> ConfigurationError {
    let dotted = (path + (key.map { [$0] } ?? [])).joined(separator: ".")
    return ConfigurationError(
      file: file, line: locator.line(table: path, key: key), key: dotted.isEmpty ? nil : dotted, message: message)
  }

  func table(_ key: String) throws(ConfigurationError) -> TOMLReader? {
    guard let value = table[key] else { return nil }
    guard let child = value.table else { throw error(key, "expected a table, found \(value.type)") }
    return TOMLReader(table: child, path: path + [key], file: file, locator: locator)
  }

  func string(_ key: String) throws(ConfigurationError) -> String? {
    guard let value = table[key] else { return nil }
    guard let string = value.string else { throw error(key, "expected a string, found \(value.type)") }
    return string
  }

  func bool(_ key: String) throws(ConfigurationError) -> Bool? {
    guard let value = table[key] else { return nil }
    guard let bool = value.bool else { throw error(key, "expected true or false, found \(value.type)") }
    return bool
  }

  /// A number; integers are accepted where a fraction is allowed.
  func double(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
    guard let value = table[key] else { return nil }
    guard let number = value.double ?? value.int.map(Double.init) else {
      throw error(key, "expected a number, found \(value.type)")
    }
    guard number.isFinite, range.contains(number) else {
      throw error(key, "\(number) is out of range (\(range.lowerBound) to \(range.upperBound))")
    }
    return number
  }

  func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
    guard let value = table[key] else { return nil }
    guard let number = value.int else { throw error(key, "expected a whole number, found \(value.type)") }
    guard range.contains(number) else {
      throw error(key, "\(number) is out of range (\(range.lowerBound) to \(range.upperBound))")
    }
    return number
  }

  func strings(_ key: String) throws(ConfigurationError) -> [String]? {
    guard let value = table[key] else { return nil }
    guard let array = value.array else { throw error(key, "expected a list of strings, found \(value.type)") }
    var strings: [String] = []
    for element in array {
      guard let string = element.string else { throw error(key, "expected a list of strings, found a \(element.type)") }
      strings.append(string)
    }
    return strings
  }

  /// Fails on the first key not in `known`, naming its line.
  func rejectUnknownKeys(_ known: Set<String>) throws(ConfigurationError) {
    for key in table.keys.sorted() where !known.contains(key) {
      throw error(key, "unknown key (known here: \(known.sorted().joined(separator: ", ")))")
    }
  }
}
