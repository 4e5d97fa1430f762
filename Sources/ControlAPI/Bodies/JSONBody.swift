import ControlAPIClient
import Foundation
import Hummingbird
import NIOCore

/// Encodes response bodies the same way everywhere: snake_case keys spelled out in each body's
/// `CodingKeys`, ISO 8601 times, `application/json`.
enum JSONBody {
  static let contentType = "application/json; charset=utf-8"

  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  private static let decoder = JSONDecoder()

  /// A quote, written by hand: the one body on the hot path.
  static func response(_ quote: QuoteBody) -> Response {
    var writer = JSONWriter()
    quote.write(to: &writer)
    return Response(status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: writer.buffer))
  }

  /// Compact JSON (one line: the live stream relies on it).
  static func encode(_ value: some Encodable) -> Data? { try? encoder.encode(value) }

  static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    guard let data = try? encoder.encode(value) else {
      // Bodies hold only finite numbers and valid strings, so this is a programming error;
      // answer it without echoing anything.
      return Response(
        status: .internalServerError, headers: [.contentType: contentType],
        body: ResponseBody(
          byteBuffer: ByteBuffer(string: #"{"error":{"class":"internal","message":"could not encode the response"}}"#)))
    }
    return Response(
      status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
  }

  /// Reads a bounded request body and decodes it; every failure is a 400 or 413 with a reason.
  static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, limit: Int) async throws -> Value {
    var request = request
    let buffer: ByteBuffer
    do {
      buffer = try await request.collectBody(upTo: limit)
    } catch is NIOTooManyBytesError {
      throw APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(limit) bytes")
    }
    guard buffer.readableBytes > 0 else { throw APIError.badRequest("invalid_body", "the request needs a JSON body") }
    do {
      return try decoder.decode(Value.self, from: Data(buffer.readableBytesView))
    } catch let error as APIError {
      throw error
    } catch {
      throw APIError.badRequest("invalid_body", "the request body is not the JSON this route expects")
    }
  }
}
