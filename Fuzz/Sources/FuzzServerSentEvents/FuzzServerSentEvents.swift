import ControlAPIClient
import FuzzSupport

/// Event size limits to run with: tiny ones reach the oversized path with short inputs.
let limits = [8, 64, 4096, 1 << 20]

/// `ServerSentEventParser` on a stream cut into chunks at positions taken from the input.
///
/// Input layout: byte 0 picks the event limit (bits 0–1) and the number of cuts (bits 2–4);
/// each cut then takes one byte, the length of the chunk before it (0–255); the rest is the
/// stream. The items must not depend on where the stream was cut, and no event may exceed
/// the limit.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  var input = FuzzInput(data, size)
  let header = input.byte()
  let limit = limits[Int(header & 0x03)]
  let chunkLengths = (0..<Int((header >> 2) & 0x07)).map { _ in Int(input.byte()) }
  let stream = input.rest()

  var whole = ServerSentEventParser(maximumEventBytes: limit)
  let expected = whole.parse(stream)

  var chunked = ServerSentEventParser(maximumEventBytes: limit)
  var items: [ServerSentEventParser.Item] = []
  var start = 0
  for length in chunkLengths {
    let end = min(stream.count, start + length)
    items += chunked.parse(stream[start..<end])
    start = end
  }
  items += chunked.parse(stream[start...])
  require(items == expected, "cutting the stream changed the items: \(items) versus \(expected)")

  for item in expected {
    switch item {
    case .event(let event):
      require(!event.type.isEmpty, "event without a type")
      require(event.data.unicodeScalars.count <= limit, "event data of \(event.data.utf8.count) bytes over \(limit)")
    case .oversized(let bytes):
      require(bytes > limit, "oversized at \(bytes) bytes, limit \(limit)")
    case .retry(let milliseconds):
      require(milliseconds >= 0, "negative retry")
    case .comment:
      break
    }
  }
  // After the stream ends the parser starts afresh, keeping only the last event id.
  chunked.reset()
  _ = chunked.parse(stream.prefix(64))
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
