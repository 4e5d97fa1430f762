import Foundation

/// The event names `GET /v1/stream` sends; the server writes them and clients match on them.
public enum StreamEventName: String, Sendable, CaseIterable {
  case snapshot, quote, watchlist, event, providers, cache
}

/// One live-stream event, decoded into the same body type the server encoded it from.
public enum StreamMessage: Sendable {
  case snapshot(SnapshotBody)
  case quote(QuoteBody)
  case watchlist(ImmortalBody)
  case event(EventBody)
  case providers(ProvidersBody)
  case cache(CacheBody)
  /// An event a newer server sends that this client does not know; safe to ignore.
  case unknown(String)

  /// Decodes an event's JSON data by its name.
  public init(_ event: ServerSentEventParser.Event) throws(ClientDecodingError) {
    guard let name = StreamEventName(rawValue: event.type) else {
      self = .unknown(event.type)
      return
    }
    let data = Data(event.data.utf8)
    switch name {
    case .snapshot: self = .snapshot(try ClientJSON.decode(SnapshotBody.self, from: data))
    case .quote: self = .quote(try ClientJSON.decode(QuoteBody.self, from: data))
    case .watchlist: self = .watchlist(try ClientJSON.decode(ImmortalBody.self, from: data))
    case .event: self = .event(try ClientJSON.decode(EventBody.self, from: data))
    case .providers: self = .providers(try ClientJSON.decode(ProvidersBody.self, from: data))
    case .cache: self = .cache(try ClientJSON.decode(CacheBody.self, from: data))
    }
  }
}

/// Decodes response bodies the way ``JSONBody`` encodes them (ISO 8601 times).
public enum ClientJSON {
  private static let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }()

  private static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  public static func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws(ClientDecodingError) -> Body {
    do {
      return try decoder.decode(Body.self, from: data)
    } catch {
      throw ClientDecodingError("not the \(Body.self) JSON the API sends (\(data.count) bytes)")
    }
  }

  public static func encode(_ value: some Encodable) throws(ClientDecodingError) -> Data {
    do {
      return try encoder.encode(value)
    } catch {
      throw ClientDecodingError("cannot encode \(type(of: value))")
    }
  }
}

/// A body from the API that this client cannot use; the message never holds the body itself.
public struct ClientDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
