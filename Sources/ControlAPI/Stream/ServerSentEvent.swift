import Foundation
import NIOCore

/// One Server-Sent Events frame. Data is compact JSON, so it is always a single `data:` line.
struct ServerSentEvent {
  var id: Int
  var event: String
  var data: Data

  func encoded() -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.reserveCapacity(data.count + event.utf8.count + 32)
    buffer.writeString("id: \(id)\nevent: \(event)\ndata: ")
    buffer.writeBytes(data)
    buffer.writeString("\n\n")
    return buffer
  }

  /// A comment line: ignored by clients, keeps the connection visibly alive.
  static func comment(_ text: String) -> ByteBuffer { ByteBuffer(string: ": \(text)\n\n") }

  /// Tells clients how long to wait before reconnecting.
  static func retry(milliseconds: Int) -> ByteBuffer { ByteBuffer(string: "retry: \(milliseconds)\n\n") }
}
