/// Reads a Server-Sent Events byte stream, sans-I/O: feed it whatever bytes arrived (split
/// anywhere, even inside a UTF-8 sequence or between CR and LF) and it returns what they
/// completed. Follows the WHATWG parsing rules: `event:`, `data:` (lines joined with `\n`),
/// `id:`, `retry:`, comments, a leading BOM, and CRLF, LF or CR line ends.
///
/// An event longer than `maximumEventBytes` is skipped up to its blank line and reported as
/// ``Item/oversized(bytes:)``, so a broken or hostile server costs bounded memory.
public struct ServerSentEventParser: Sendable {
  /// One dispatched event.
  public struct Event: Hashable, Sendable {
    /// `message` when the server named none.
    public var type: String
    public var data: String
    /// The last event id seen on the stream so far, if any.
    public var lastEventID: String?

    public init(type: String, data: String, lastEventID: String? = nil) {
      self.type = type
      self.data = data
      self.lastEventID = lastEventID
    }
  }

  /// What a chunk of bytes completed.
  public enum Item: Hashable, Sendable {
    case event(Event)
    /// A `:` line (the server's heartbeat, or why it is closing); text without the colon and
    /// one following space.
    case comment(String)
    /// The server's advice on how long to wait before reconnecting.
    case retry(milliseconds: Int)
    /// An event that outgrew the limit was dropped; at least this many bytes of it were seen.
    case oversized(bytes: Int)
  }

  public let maximumEventBytes: Int

  private var line: [UInt8] = []
  private var eventType = ""
  private var data: [UInt8] = []
  private var hasData = false
  private var lastEventID: String?
  /// Bytes of the current event so far (field lines included), against the limit.
  private var eventBytes = 0
  private var discarding = false
  /// Whether the current line has any bytes, kept or discarded: only a truly empty line ends
  /// an event.
  private var lineHasBytes = false
  private var previousWasCarriageReturn = false
  private var atStreamStart = true

  public init(maximumEventBytes: Int = 1 << 20) {
    self.maximumEventBytes = max(1, maximumEventBytes)
  }

  /// Takes the next bytes of the stream; returns the items they completed, in order.
  public mutating func parse(_ bytes: some Sequence<UInt8>) -> [Item] {
    var items: [Item] = []
    for byte in bytes {
      if previousWasCarriageReturn {
        previousWasCarriageReturn = false
        if byte == UInt8(ascii: "\n") { continue }
      }
      switch byte {
      case UInt8(ascii: "\r"):
        previousWasCarriageReturn = true
        endLine(&items)
      case UInt8(ascii: "\n"):
        endLine(&items)
      default:
        eventBytes += 1
        lineHasBytes = true
        if discarding { continue }
        if eventBytes > maximumEventBytes {
          discarding = true
          line.removeAll()
          data.removeAll()
          continue
        }
        line.append(byte)
      }
    }
    return items
  }

  /// The stream ended: a half-received event is dropped (the spec's rule), and the parser is
  /// ready for a new stream that keeps the last event id.
  public mutating func reset() {
    let keptID = lastEventID
    self = ServerSentEventParser(maximumEventBytes: maximumEventBytes)
    lastEventID = keptID
  }

  private mutating func endLine(_ items: inout [Item]) {
    guard lineHasBytes else {
      dispatch(&items)
      return
    }
    defer {
      line.removeAll(keepingCapacity: true)
      lineHasBytes = false
    }
    eventBytes += 1
    if discarding { return }
    if atStreamStart {
      atStreamStart = false
      if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
    }
    if line.first == UInt8(ascii: ":") {
      var text = line.dropFirst()
      if text.first == UInt8(ascii: " ") { text = text.dropFirst() }
      items.append(.comment(String(decoding: text, as: UTF8.self)))
      return
    }
    let name: ArraySlice<UInt8>
    var value: ArraySlice<UInt8>
    if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
      name = line[..<colon]
      value = line[(colon + 1)...]
      if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
    } else {
      name = line[...]
      value = []
    }
    switch String(decoding: name, as: UTF8.self) {
    case "event":
      eventType = String(decoding: value, as: UTF8.self)
    case "data":
      data.append(contentsOf: value)
      data.append(UInt8(ascii: "\n"))
      hasData = true
    case "id":
      if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
    case "retry":
      if !value.isEmpty, value.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
        let milliseconds = Int(String(decoding: value, as: UTF8.self))
      {
        items.append(.retry(milliseconds: milliseconds))
      }
    default:
      break
    }
  }

  private mutating func dispatch(_ items: inout [Item]) {
    atStreamStart = false
    defer {
      eventType = ""
      data.removeAll(keepingCapacity: true)
      hasData = false
      eventBytes = 0
      discarding = false
    }
    if discarding {
      items.append(.oversized(bytes: eventBytes))
      return
    }
    guard hasData else { return }
    data.removeLast()
    let text = String(decoding: data, as: UTF8.self)
    items.append(.event(Event(type: eventType.isEmpty ? "message" : eventType, data: text, lastEventID: lastEventID)))
  }
}
