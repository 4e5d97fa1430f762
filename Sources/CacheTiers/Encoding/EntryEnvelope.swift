import CompressNIO
import Foundation
import NIOCore

/// The frame every stored entry shares, whatever it holds (a quote, a block of bars, a
/// profile): a format version, flags, and the payload, zlib-compressed when that pays.
///
/// | bytes | field |
/// |---|---|
/// | 1 | format version (each codec has its own) |
/// | 1 | flags: bit 0 = payload is zlib-compressed; other bits must be 0 |
/// | varint | only when compressed: the payload's length before compression |
/// | ... | payload, plain or compressed |
enum EntryEnvelope {
  static let compressedFlag: UInt8 = 1

  /// Frames a payload, compressing it only when it is at least `threshold` bytes and
  /// compression actually makes it smaller (a short payload usually grows under zlib).
  static func seal(_ payload: [UInt8], version: UInt8, compressAbove threshold: Int) -> [UInt8] {
    if payload.count >= threshold, let compressedPayload = compress(payload) {
      var compressed = EntryWriter(capacity: compressedPayload.count + 12)
      compressed.byte(version)
      compressed.byte(compressedFlag)
      compressed.varint(UInt64(payload.count))
      compressed.append(contentsOf: compressedPayload)
      if compressed.bytes.count < payload.count + 2 { return compressed.bytes }
    }
    var plain = EntryWriter(capacity: payload.count + 2)
    plain.byte(version)
    plain.byte(0)
    plain.append(contentsOf: payload)
    return plain.bytes
  }

  /// The payload of an entry, inflated if it was compressed (never past
  /// `maximumDecompressedSize`), as a reader positioned at its first byte.
  static func open(
    _ bytes: some Collection<UInt8>, version: UInt8, maximumDecompressedSize: Int
  ) throws(EntryError) -> EntryReader {
    var header = EntryReader(Array(bytes))
    guard header.remaining > 0 else { throw .empty }
    let found = try header.byte("format version")
    guard found == version else { throw .unsupportedVersion(found, supported: version) }
    let flags = try header.byte("flags")
    guard flags & ~compressedFlag == 0 else { throw .unknownFlags(flags) }
    if flags & compressedFlag == 0 { return header }
    let declared = try header.varint("compressed length")
    guard declared <= UInt64(maximumDecompressedSize) else {
      throw .decompressedTooLarge(maximum: maximumDecompressedSize)
    }
    return EntryReader(try inflate(header.rest(), declaredLength: Int(declared)))
  }

  // MARK: Time

  /// Microseconds since 1970: exact for any time a provider reports, and an integer, so an
  /// entry does not depend on how a platform rounds `Date`.
  static func microseconds(_ date: Date) -> Int64 {
    let value = (date.timeIntervalSince1970 * 1_000_000).rounded()
    // Far outside any real time; clamp rather than trap on a corrupt `Date`.
    guard value.isFinite else { return 0 }
    if value >= 9.2e18 { return .max }
    if value <= -9.2e18 { return .min }
    return Int64(value)
  }

  static func date(microseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
  }

  // MARK: Compression

  static func compress(_ payload: [UInt8]) -> [UInt8]? {
    do {
      let compressor = try ZlibCompressor(algorithm: .zlib)
      var input = ByteBuffer(bytes: payload)
      var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input))
      try compressor.deflate(from: &input, to: &output, flush: .finish)
      return output.readBytes(length: output.readableBytes)
    } catch {
      // Compression is only a saving: an entry is just as good stored plain.
      return nil
    }
  }

  /// Inflates at most `declaredLength` bytes (itself capped), and only a complete zlib stream
  /// with nothing after it: a truncated or padded entry is corrupt, not shorter.
  static func inflate(_ compressed: ArraySlice<UInt8>, declaredLength: Int) throws(EntryError) -> [UInt8] {
    guard !compressed.isEmpty else { throw .corruptCompression }
    var input = ByteBuffer(bytes: compressed)
    // One byte more than declared, so a stream that inflates past it overflows visibly.
    var output = ByteBufferAllocator().buffer(capacity: declaredLength + 1)
    do {
      let decompressor = try ZlibDecompressor(algorithm: .zlib)
      try decompressor.inflate(from: &input, to: &output)
      guard output.readableBytes <= declaredLength else { throw EntryError.decompressedTooLarge(maximum: declaredLength) }
      guard input.readableBytes == 0 else { throw EntryError.trailingBytes(count: input.readableBytes) }
      // zlib consumes nothing once its stream has ended, so a probe byte left unread proves the
      // stream (checksum included) was complete.
      var probe = ByteBuffer(bytes: [0])
      try decompressor.inflate(from: &probe, to: &output)
      guard probe.readableBytes == 1 else { throw EntryError.corruptCompression }
    } catch let error as EntryError {
      throw error
    } catch let error as CompressNIOError where error == .bufferOverflow {
      throw .decompressedTooLarge(maximum: declaredLength)
    } catch {
      throw .corruptCompression
    }
    guard output.readableBytes == declaredLength else {
      throw .decompressedLengthMismatch(declared: declaredLength, actual: output.readableBytes)
    }
    return output.readBytes(length: output.readableBytes) ?? []
  }
}
