import Foundation
import MarketCore

/// The bytes a shared tier stores for one block of bars (a Redis value): compact, versioned,
/// refused rather than misread when they come from another build or are damaged.
///
/// Version 1, all numbers little-endian, in the frame of ``EntryEnvelope`` (version byte,
/// flags, compressed length when compressed). The payload:
///
/// | field | encoding |
/// |---|---|
/// | field mask | 1 byte: bit 0 currency present, 1 time zone present, 2 simulated |
/// | symbol, interval, source | varint-length UTF-8 (interval as its name, `1d`) |
/// | block start | zigzag varint, epoch seconds |
/// | block length | varint seconds (`end - start`) |
/// | currency, time zone | varint-length UTF-8, when present |
/// | received at | `Int64` microseconds since 1970 |
/// | bar count | varint |
/// | each bar | 1 byte presence (bit 0 adjusted close, 1 volume), the start as a varint delta (from the block start for the first bar, from the bar before for the others, so at least 1), open, high, low, close as IEEE-754 doubles, then adjusted close and volume when present |
///
/// A decoded block is well formed by construction: every bar starts inside the block and
/// after the one before it, every price is finite. Whether the bars make sense (OHLC order,
/// volume) is the pipeline's check, as for a provider's.
public enum BarBlockCodec {
  public static let formatVersion: UInt8 = 1
  /// The most bars one block may hold: a week of 5-minute bars around the clock is 2016.
  public static let maximumBarCount = 10_000
  /// A compressed entry never inflates past this: the largest real block is about 120 kB.
  public static let maximumDecompressedSize = 1 << 20
  /// Longest source, currency or time zone text accepted.
  public static let maximumTextLength = 256
  /// Longer than any calendar block (a year is 366 days at most).
  static let maximumBlockSeconds: UInt64 = 400 * 86_400
  /// The fewest bytes a bar takes: presence, a one-byte delta, four doubles.
  static let minimumBarBytes = 1 + 1 + 4 * 8

  private enum Field {
    static let currency: UInt8 = 1 << 0
    static let timeZone: UInt8 = 1 << 1
    static let simulated: UInt8 = 1 << 2
    static let known: UInt8 = (1 << 3) - 1
  }

  private enum BarField {
    static let adjustedClose: UInt8 = 1 << 0
    static let volume: UInt8 = 1 << 1
    static let known: UInt8 = (1 << 2) - 1
  }

  /// Encodes a block, compressing it when its payload is at least `threshold` bytes and
  /// compression makes it smaller. Bars are written as given: callers encode only blocks
  /// without a ``BarBlock/problem`` (oldest first, inside the block), as the tiers do.
  public static func encode(_ block: BarBlock, compressAbove threshold: Int) -> [UInt8] {
    EntryEnvelope.seal(encodePayload(block), version: formatVersion, compressAbove: threshold)
  }

  /// Decodes an entry, or says precisely why it cannot: never traps, whatever the bytes.
  public static func decode(_ bytes: some Collection<UInt8>) throws(EntryError) -> BarBlock {
    var payload = try EntryEnvelope.open(bytes, version: formatVersion, maximumDecompressedSize: maximumDecompressedSize)
    return try decodePayload(&payload)
  }

  // MARK: Payload

  static func encodePayload(_ value: BarBlock) -> [UInt8] {
    var fields: UInt8 = 0
    if value.currency != nil { fields |= Field.currency }
    if value.exchangeTimeZone != nil { fields |= Field.timeZone }
    if value.isSimulated { fields |= Field.simulated }
    var writer = EntryWriter(capacity: 64 + value.bars.count * 44)
    writer.byte(fields)
    writer.text(value.block.symbol.text)
    writer.text(value.block.interval.rawValue)
    writer.text(value.source.name)
    writer.signedVarint(value.block.start)
    writer.varint(UInt64(clamping: value.block.end &- value.block.start))
    if let currency = value.currency { writer.text(currency) }
    if let timeZone = value.exchangeTimeZone { writer.text(timeZone) }
    writer.int64(EntryEnvelope.microseconds(value.receivedAt))
    writer.varint(UInt64(value.bars.count))
    var previous = value.block.start
    for bar in value.bars {
      var presence: UInt8 = 0
      if bar.adjustedClose != nil { presence |= BarField.adjustedClose }
      if bar.volume != nil { presence |= BarField.volume }
      writer.byte(presence)
      // Validated blocks only go forward; clamping keeps a bad one from trapping here (the
      // decoder then refuses it).
      writer.varint(UInt64(clamping: bar.start &- previous))
      previous = bar.start
      writer.double(bar.open)
      writer.double(bar.high)
      writer.double(bar.low)
      writer.double(bar.close)
      if let adjustedClose = bar.adjustedClose { writer.double(adjustedClose) }
      if let volume = bar.volume { writer.double(volume) }
    }
    return writer.bytes
  }

  static func decodePayload(_ reader: inout EntryReader) throws(EntryError) -> BarBlock {
    let fields = try reader.byte("field mask")
    guard fields & ~Field.known == 0 else { throw .unknownFields(UInt16(fields & ~Field.known)) }
    let symbolText = try reader.text("symbol", maximumLength: 4 * Symbol.maximumLength)
    let symbol: Symbol
    do {
      symbol = try Symbol(validating: symbolText)
    } catch {
      throw .invalidSymbol(error)
    }
    guard let interval = BarInterval(rawValue: try reader.text("interval", maximumLength: 8)) else {
      throw .invalidInterval
    }
    let source = try reader.text("source", maximumLength: maximumTextLength)
    let start = try reader.signedVarint("block start")
    let length = try reader.varint("block length")
    guard length > 0, length <= maximumBlockSeconds else { throw .invalidBlockSpan }
    let (end, overflow) = start.addingReportingOverflow(Int64(length))
    guard !overflow else { throw .invalidBlockSpan }
    var currency: String?
    if fields & Field.currency != 0 { currency = try reader.text("currency", maximumLength: maximumTextLength) }
    var timeZone: String?
    if fields & Field.timeZone != 0 { timeZone = try reader.text("time zone", maximumLength: maximumTextLength) }
    let receivedAt = EntryEnvelope.date(microseconds: try reader.int64("received-at time"))
    let count = try reader.varint("bar count")
    // Refused before anything is allocated for them: a count the remaining bytes cannot hold
    // is a lie, whatever the cap.
    guard count <= UInt64(maximumBarCount), count <= UInt64(reader.remaining / minimumBarBytes) else {
      throw .countTooLarge(field: "bars", count: count, maximum: maximumBarCount)
    }
    var bars: [Bar] = []
    bars.reserveCapacity(Int(count))
    var previous = start
    for index in 0..<Int(count) {
      let presence = try reader.byte("bar presence")
      guard presence & ~BarField.known == 0 else { throw .unknownFields(UInt16(presence & ~BarField.known)) }
      let delta = try reader.varint("bar start")
      // Past the block's length the bar cannot be inside it; a zero step after the first bar
      // would repeat a start.
      guard delta < length, index == 0 || delta > 0 else { throw .barOutOfPlace(index: index) }
      let (barStart, past) = previous.addingReportingOverflow(Int64(delta))
      guard !past, barStart < end else { throw .barOutOfPlace(index: index) }
      previous = barStart
      let open = try reader.double("open")
      let high = try reader.double("high")
      let low = try reader.double("low")
      let close = try reader.double("close")
      guard open.isFinite, high.isFinite, low.isFinite, close.isFinite else { throw .nonFinitePrice }
      var adjustedClose: Double?
      if presence & BarField.adjustedClose != 0 {
        let value = try reader.double("adjusted close")
        guard value.isFinite else { throw .nonFinitePrice }
        adjustedClose = value
      }
      var volume: Double?
      if presence & BarField.volume != 0 {
        let value = try reader.double("volume")
        guard value.isFinite else { throw .nonFiniteNumber(field: "volume") }
        volume = value
      }
      bars.append(
        Bar(start: barStart, open: open, high: high, low: low, close: close, adjustedClose: adjustedClose, volume: volume))
    }
    guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
    return BarBlock(
      block: HistoryBlock(symbol: symbol, interval: interval, start: start, end: end), bars: bars, currency: currency,
      exchangeTimeZone: timeZone, source: ProviderID(source), receivedAt: receivedAt,
      isSimulated: fields & Field.simulated != 0)
  }
}
