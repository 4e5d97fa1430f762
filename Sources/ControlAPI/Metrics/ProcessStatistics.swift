import Foundation

/// This process's resource use, read from `/proc` (Linux). Every field is nil where `/proc`
/// is missing or unreadable, so `/metrics` omits it rather than reporting zero.
struct ProcessStatistics: Equatable {
  var residentBytes: Int?
  var virtualBytes: Int?
  var cpuSeconds: Double?
  var startTimeSeconds: Double?
  var openFileDescriptors: Int?
  var threads: Int?

  static func current() -> ProcessStatistics {
    var statistics = ProcessStatistics()
    guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) else { return statistics }
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    let bootTime = (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)).flatMap(Self.bootTime(fromProcStat:))
    statistics = parse(stat: stat, ticksPerSecond: ticksPerSecond, pageSize: pageSize, bootTime: bootTime)
    statistics.openFileDescriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
    return statistics
  }

  /// Parses `/proc/self/stat`. The command name (field 2) may hold spaces and parentheses,
  /// so fields are counted from the last `)`.
  static func parse(stat: String, ticksPerSecond: Double, pageSize: Int, bootTime: Double?) -> ProcessStatistics {
    var statistics = ProcessStatistics()
    guard ticksPerSecond > 0, let close = stat.lastIndex(of: ")") else { return statistics }
    // After ")": field 3 (state) is index 0, so field N is index N - 3.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    func field(_ number: Int) -> Substring? { fields.indices.contains(number - 3) ? fields[number - 3] : nil }
    if let user = field(14).flatMap({ Double($0) }), let system = field(15).flatMap({ Double($0) }) {
      statistics.cpuSeconds = (user + system) / ticksPerSecond
    }
    statistics.threads = field(20).flatMap { Int($0) }
    if let start = field(22).flatMap({ Double($0) }), let bootTime {
      statistics.startTimeSeconds = bootTime + start / ticksPerSecond
    }
    statistics.virtualBytes = field(23).flatMap { Int($0) }
    statistics.residentBytes = field(24).flatMap { Int($0) }.map { $0 * pageSize }
    return statistics
  }

  /// The `btime` line of `/proc/stat`: when the machine booted, in seconds since 1970.
  static func bootTime(fromProcStat text: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
      return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }
    return nil
  }
}
