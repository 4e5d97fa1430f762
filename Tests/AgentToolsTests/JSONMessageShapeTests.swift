import Testing

@testable import AgentTools

@Suite("Reading the shape of a JSON-RPC line")
struct JSONMessageShapeTests {
  private func shape(_ text: String) -> JSONMessageShape? {
    try? JSONMessageShape.scan(Array(text.utf8)).get()
  }

  @Test("requests, notifications and responses are told apart by their members")
  func kinds() {
    #expect(shape(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)?.isRequest == true)
    #expect(shape(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)?.isRequest == false)
    #expect(shape(#"{"id":"a","jsonrpc":"2.0","result":{"method":1,"id":2}}"#)?.isResponse == true)
    #expect(shape(#"{"error":{"code":-1,"message":"x"},"id":null,"jsonrpc":"2.0"}"#)?.isResponse == true)
    #expect(shape(#"  [ {"id": 1} ] "#)?.kind == .array)
    #expect(shape("12.5e-3")?.kind == .scalar)
    #expect(shape(#"{"nested":{"id":1,"method":"x"}}"#)?.isRequest == false, "only top-level members count")
  }

  @Test(
    "anything that is not JSON is refused",
    arguments: [
      "", "hello", "{", #"{"a":}"#, #"{"a":1,}"#, "[1,]", "01", "1.", "-", "tru", #""\x""#, "\"\u{01}\"", #"{"a" 1}"#,
      "{} {}", #"{"a":"\u12G4"}"#, "nul",
    ])
  func malformed(text: String) {
    #expect(shape(text) == nil, "\(text)")
  }

  @Test("invalid UTF-8 inside a string is refused; valid multi-byte text is not")
  func utf8() {
    #expect(shape(#"{"name":"吕洞宾 ☰"}"#) != nil)
    let overlong: [UInt8] = Array(#"{"a":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
    let surrogate: [UInt8] = Array(#"{"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
    let truncated: [UInt8] = Array(#"{"a":""#.utf8) + [0xE6, 0x9D] + Array(#""}"#.utf8)
    for bytes in [overlong, surrogate, truncated] {
      #expect((try? JSONMessageShape.scan(bytes).get()) == nil)
    }
  }

  @Test("nesting is bounded before any decoder recurses into it")
  func depth() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(shape(deep) == nil)
    let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
    #expect(shape(fine) != nil)
  }
}

@Suite("Reading JSON into values for the tool-call shortcut")
struct JSONValueReaderTests {
  @Test("values come out as the SDK's decoder would give them")
  func values() {
    let text = #"{"a":[1,-2.5,1e3,true,false,null],"s":"q\"\\\/\n\u00e9\ud83d\ude00 吕","o":{},"z":0}"#
    let value = JSONValueReader.read(Array(text.utf8))
    #expect(
      value
        == [
          "a": [1, -2.5, 1000.0, true, false, nil], "s": "q\"\\/\né😀 吕", "o": [:], "z": 0,
        ])
  }

  @Test(
    "anything that is not JSON is nil",
    arguments: ["", "{", #"{"a":}"#, "[1,]", "01", "\"\u{01}\"", #""\ud83d""#, #"{"a":1} x"#, "tru"])
  func malformed(text: String) {
    #expect(JSONValueReader.read(Array(text.utf8)) == nil)
  }
}
