import CacheTiers
import FuzzSupport
import NIOCore

/// Small limits, so short inputs reach every limit check.
let smallLimits = RESPDecoder.Limits(
  maximumBulkLength: 64, maximumAggregateCount: 16, maximumDepth: 4, maximumLineLength: 64, maximumValueBytes: 256)

/// Values decoded from a stream fed in chunks, and the error that stopped it, if any.
func decodeAll(_ chunks: [ArraySlice<UInt8>], _ decoder: RESPDecoder) -> ([RESPValue], RESPDecodingError?) {
  var decoder = decoder
  var values: [RESPValue] = []
  for chunk in chunks {
    decoder.feed(ByteBuffer(bytes: chunk))
    do {
      while let value = try decoder.next() { values.append(value) }
    } catch {
      return (values, error)
    }
  }
  return (values, nil)
}

/// `RESPDecoder` on bytes from a server, cut into chunks at positions taken from the input.
///
/// Input layout: byte 0 picks attribute handling (bit 0), small limits (bit 1) and the number
/// of cuts (bits 2–4); each cut then takes one byte, the length of the chunk before it; the
/// rest is the stream. The values and the error must not depend on the cuts, and every value
/// must encode to bytes that decode to a value with the same encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  var input = FuzzInput(data, size)
  let header = input.byte()
  let attributes: RESPDecoder.AttributeHandling = header & 0x01 == 0 ? .skip : .keep
  let limits = header & 0x02 == 0 ? RESPDecoder.Limits() : smallLimits
  let chunkLengths = (0..<Int((header >> 2) & 0x07)).map { _ in Int(input.byte()) }
  let stream = input.rest()

  var chunks: [ArraySlice<UInt8>] = []
  var start = 0
  for length in chunkLengths {
    let end = min(stream.count, start + length)
    chunks.append(stream[start..<end])
    start = end
  }
  chunks.append(stream[start...])

  let decoder = RESPDecoder(limits: limits, attributes: attributes)
  let (values, error) = decodeAll([stream[...]], decoder)
  let (chunkedValues, chunkedError) = decodeAll(chunks, decoder)
  require(chunkedValues == values || chunkedValues.map(\.encoded) == values.map(\.encoded), "cuts changed the values")
  require(
    chunkedError == error, "cuts changed the error: \(String(describing: chunkedError)) versus \(String(describing: error))")

  for value in values {
    let encoded = value.encoded
    let (again, failure) = decodeAll([Array(encoded.readableBytesView)[...]], RESPDecoder(attributes: attributes))
    require(failure == nil && again.count == 1, "\(value) encodes to bytes that do not decode: \(String(describing: failure))")
    require(again.first?.encoded == encoded, "\(value) does not survive encoding and decoding")
  }
  return 0
}

@main
enum Entry {
  static func main() { runLibFuzzer(fuzz) }
}
