import Foundation
import Testing

@testable import ControlAPI
@testable import ControlAPIClient

@Suite("Server-Sent Events parser")
struct ServerSentEventParserTests {
  typealias Item = ServerSentEventParser.Item

  static func parse(_ text: String, maximumEventBytes: Int = 1 << 20) -> [Item] {
    var parser = ServerSentEventParser(maximumEventBytes: maximumEventBytes)
    return parser.parse(Array(text.utf8))
  }

  static func event(_ type: String, _ data: String, id: String? = nil) -> Item {
    .event(.init(type: type, data: data, lastEventID: id))
  }

  /// What the server writes: a retry hint, events as `ServerSentEvent` encodes them, comments.
  static let serverBytes: [UInt8] = {
    var bytes = Array(ServerSentEvent.retry(milliseconds: 2000).readableBytesView)
    bytes +=
      ServerSentEvent(id: 1, event: "snapshot", data: Data(#"{"immortals":[],"name":"吕洞宾"}"#.utf8)).encoded()
      .readableBytesView
    bytes += ServerSentEvent.comment("heartbeat").readableBytesView
    bytes +=
      ServerSentEvent(id: 2, event: "quote", data: Data(#"{"symbol":"^VIX","price":17.5}"#.utf8)).encoded()
      .readableBytesView
    return bytes
  }()

  static let serverItems: [Item] = [
    .retry(milliseconds: 2000),
    event("snapshot", #"{"immortals":[],"name":"吕洞宾"}"#, id: "1"),
    .comment("heartbeat"),
    event("quote", #"{"symbol":"^VIX","price":17.5}"#, id: "2"),
  ]

  @Test("reads what the server writes")
  func serverFrames() {
    var parser = ServerSentEventParser()
    #expect(parser.parse(Self.serverBytes) == Self.serverItems)
  }

  @Test("the same items whatever byte the stream is split at, even inside a UTF-8 character")
  func splitAtEveryByte() {
    let bytes = Self.serverBytes
    for split in 0...bytes.count {
      var parser = ServerSentEventParser()
      let items = parser.parse(bytes[..<split]) + parser.parse(bytes[split...])
      #expect(items == Self.serverItems, "split at byte \(split)")
    }
    var parser = ServerSentEventParser()
    var items: [Item] = []
    for byte in bytes { items += parser.parse([byte]) }
    #expect(items == Self.serverItems, "one byte at a time")
  }

  @Test("CRLF, LF and CR all end lines, also when CR and LF arrive in different chunks")
  func lineEnds() {
    let expected = [Self.event("a", "1\n2")]
    for text in ["event: a\r\ndata: 1\r\ndata: 2\r\n\r\n", "event: a\ndata: 1\ndata: 2\n\n", "event: a\rdata: 1\rdata: 2\r\r"] {
      #expect(Self.parse(text) == expected, "\(text.debugDescription)")
      let bytes = Array(text.utf8)
      for split in 0...bytes.count {
        var parser = ServerSentEventParser()
        #expect(parser.parse(bytes[..<split]) + parser.parse(bytes[split...]) == expected, "\(text.debugDescription) at \(split)")
      }
    }
  }

  @Test("field rules: one optional space, default type, no data no event, unknown fields ignored")
  func fieldRules() {
    #expect(Self.parse("data:x\n\n") == [Self.event("message", "x")])
    #expect(Self.parse("data:  two spaces\n\n") == [Self.event("message", " two spaces")])
    #expect(Self.parse("data\n\n") == [Self.event("message", "")])
    #expect(Self.parse("event: quote\n\n").isEmpty)
    #expect(Self.parse("colour: red\ndata: x\n\n") == [Self.event("message", "x")])
    #expect(Self.parse("id: 7\n\ndata: x\n\n") == [Self.event("message", "x", id: "7")])
    #expect(Self.parse("id: a\u{0}b\ndata: x\n\n") == [Self.event("message", "x")])
    #expect(Self.parse("retry: soon\nretry: 1500\n\n") == [.retry(milliseconds: 1500)])
    #expect(Self.parse(":\n: dropped: reconnect\n") == [.comment(""), .comment("dropped: reconnect")])
    #expect(Self.parse("\u{FEFF}data: x\n\n") == [Self.event("message", "x")])
  }

  @Test("an unfinished event is not dispatched, and reset drops it but keeps the last id")
  func unfinished() {
    var parser = ServerSentEventParser()
    #expect(parser.parse(Array("id: 3\ndata: whole\n\ndata: half".utf8)) == [Self.event("message", "whole", id: "3")])
    parser.reset()
    #expect(parser.parse(Array("\ndata: next\n\n".utf8)) == [Self.event("message", "next", id: "3")])
  }

  @Test("an oversized event is skipped and reported; the stream goes on")
  func oversized() {
    let huge = String(repeating: "x", count: 5_000)
    let items = Self.parse("data: \(huge)\ndata: more\n\ndata: small\n\n", maximumEventBytes: 1_000)
    #expect(items.count == 2)
    if case .oversized(let bytes) = items.first { #expect(bytes > 1_000) } else { Issue.record("expected oversized") }
    #expect(items.last == Self.event("message", "small"))
    // Many short lines add up too.
    let lines = String(repeating: "data: 0123456789\n", count: 200) + "\ndata: ok\n\n"
    let counted = Self.parse(lines, maximumEventBytes: 1_000)
    #expect(counted.count == 2)
    #expect(counted.last == Self.event("message", "ok"))
  }

  @Test("hostile bytes never crash: invalid UTF-8, NULs, lone CRs")
  func hostile() {
    var parser = ServerSentEventParser(maximumEventBytes: 64)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      let bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
      _ = parser.parse(bytes)
    }
    #expect(Self.parse("data: \u{FFFD}\n\n".replacingOccurrences(of: "\u{FFFD}", with: "é")).count == 1)
    var invalid = ServerSentEventParser()
    #expect(
      invalid.parse(Array("data: ".utf8) + [0xFF, 0xC3] + Array("\n\n".utf8)) == [Self.event("message", "\u{FFFD}\u{FFFD}")])
  }
}
