import MarketCore

/// The HTTP methods the adapters use.
public enum HTTPMethod: String, Hashable, Sendable {
  case get = "GET"
  case post = "POST"
}

/// One header; `isSensitive` marks credentials so no printed form shows them.
public struct HTTPHeader: Hashable, Sendable {
  public var name: String
  public var value: String
  public var isSensitive: Bool

  public init(name: String, value: String, isSensitive: Bool = false) {
    self.name = name
    self.value = value
    self.isSensitive = isSensitive
  }
}

/// One query parameter, unencoded. A nil value is a bare flag (Stooq's `&h`).
public struct HTTPQueryItem: Hashable, Sendable {
  public var name: String
  public var value: String?
  public var isSensitive: Bool

  public init(name: String, value: String?, isSensitive: Bool = false) {
    self.name = name
    self.value = value
    self.isSensitive = isSensitive
  }
}

/// A request as a plain value: what an adapter wants sent, with no I/O attached.
///
/// Adapters build it, the HTTP transport executes it, tests inspect it. Credentials enter only
/// here and are marked sensitive; ``description``, ``redactedDescription`` and the mirror never
/// show them, so a spec can be logged as it is.
public struct HTTPRequestSpec: Hashable, Sendable, CustomStringConvertible, CustomReflectable {
  public var method: HTTPMethod
  /// Scheme, host and optional port, without a trailing slash: `https://finnhub.io`.
  public var origin: String
  /// Percent-encoded path starting with `/`; build segments with ``encodePathSegment(_:)``.
  public var path: String
  public var queryItems: [HTTPQueryItem]
  public var headers: [HTTPHeader]
  /// The request body (a GraphQL query for TMX, say), sent with the `Content-Type` header
  /// the adapter sets; nil sends none. Never printed: only its size is.
  public var body: [UInt8]?
  /// The canonical symbols this request asks for, in order; the transport copies them into
  /// the ``HTTPResponseSnapshot`` so the parser knows what to answer for.
  public var symbols: [Symbol]

  public init(
    method: HTTPMethod = .get, origin: String, path: String, queryItems: [HTTPQueryItem] = [],
    headers: [HTTPHeader] = [], body: [UInt8]? = nil, symbols: [Symbol]
  ) {
    self.method = method
    self.origin = origin
    self.path = path
    self.queryItems = queryItems
    self.headers = headers
    self.body = body
    self.symbols = symbols
  }

  /// Path and encoded query, as sent on the request line (credentials included).
  public var target: String { path + Self.encodedQuery(queryItems, redacting: false) }

  /// The full URL to send (credentials included): for the transport only, never for logs.
  public var url: String { origin + target }

  /// The first value of a header, compared case-insensitively.
  public func header(_ name: String) -> String? {
    let lowered = name.lowercased()
    return headers.first { $0.name.lowercased() == lowered }?.value
  }

  /// The request as one line with every credential replaced by `<redacted>`: safe to log.
  public var redactedDescription: String {
    var text = "\(method.rawValue) \(origin)\(path)\(Self.encodedQuery(queryItems, redacting: true))"
    let shownHeaders = headers.map { header in
      "\(header.name): \(Self.isRedacted(header) ? Secret.placeholder : header.value)"
    }
    if !shownHeaders.isEmpty { text += " [" + shownHeaders.joined(separator: ", ") + "]" }
    if let body { text += " (body of \(body.count) bytes)" }
    return Self.scrubbing(text, of: sensitiveValues)
  }

  public var description: String { redactedDescription }

  public var customMirror: Mirror {
    Mirror(self, children: ["request": redactedDescription], displayStyle: .struct)
  }

  /// Every credential this request carries, raw and as it appears percent-encoded.
  var sensitiveValues: [String] {
    var values: [String] = []
    for item in queryItems where Self.isRedacted(item) {
      guard let value = item.value, !value.isEmpty else { continue }
      values.append(value)
      values.append(Self.percentEncode(value, allowing: Self.queryAllowed))
    }
    for header in headers where Self.isRedacted(header) && !header.value.isEmpty {
      values.append(header.value)
    }
    return values
  }

  // MARK: Encoding

  /// Names that always hold a credential, whether or not the adapter flagged them.
  static let credentialNames: Set<String> = [
    "apikey", "api_key", "api-key", "key", "token", "access_token", "crumb", "password", "secret",
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-finnhub-token", "x-api-key",
  ]

  static func isRedacted(_ item: HTTPQueryItem) -> Bool {
    item.isSensitive || credentialNames.contains(item.name.lowercased())
  }

  static func isRedacted(_ header: HTTPHeader) -> Bool {
    header.isSensitive || credentialNames.contains(header.name.lowercased())
  }

  /// RFC 3986 unreserved characters.
  private static let unreserved: Set<UInt8> = Set(
    Array(UInt8(ascii: "A")...UInt8(ascii: "Z")) + Array(UInt8(ascii: "a")...UInt8(ascii: "z"))
      + Array(UInt8(ascii: "0")...UInt8(ascii: "9")) + Array("-._~".utf8))
  /// A path segment may also carry sub-delimiters, `:` and `@` (so `X:BTCUSD`, `AAPL,MSFT` and
  /// `EURUSD=X` stay readable) but not `/`, `?`, `#`, `%` or `^`.
  private static let pathSegmentAllowed: Set<UInt8> = unreserved.union("!$&'()*+,;=:@".utf8)
  /// Query names and values: `&`, `=`, `+` and `#` are encoded, `,` and `:` are kept.
  static let queryAllowed: Set<UInt8> = unreserved.union(",:@/".utf8)

  /// Percent-encodes one path segment (a provider symbol, say).
  public static func encodePathSegment(_ segment: String) -> String {
    percentEncode(segment, allowing: pathSegmentAllowed)
  }

  static func percentEncode(_ text: String, allowing allowed: Set<UInt8>) -> String {
    var encoded = ""
    encoded.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
      if allowed.contains(byte) {
        encoded.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = String(byte, radix: 16, uppercase: true)
        encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return encoded
  }

  private static func encodedQuery(_ items: [HTTPQueryItem], redacting: Bool) -> String {
    guard !items.isEmpty else { return "" }
    let pairs = items.map { item -> String in
      let name = percentEncode(item.name, allowing: queryAllowed)
      guard let value = item.value else { return name }
      let shown = redacting && isRedacted(item) ? Secret.placeholder : percentEncode(value, allowing: queryAllowed)
      return name + "=" + shown
    }
    return "?" + pairs.joined(separator: "&")
  }

  /// Replaces every occurrence of each value with the placeholder, longest first, so a
  /// credential that also ended up elsewhere (a path, a header) is still hidden.
  static func scrubbing(_ text: String, of values: [String]) -> String {
    var result = text
    for value in Set(values).sorted(by: { $0.count > $1.count }) where !value.isEmpty {
      result = result.replacingAll(value, with: Secret.placeholder)
    }
    return result
  }
}

extension String {
  /// Literal (non-regex) replacement without Foundation's bridging.
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    var result = ""
    var rest = self[...]
    while let range = rest.firstRange(of: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    result += rest
    return result
  }
}
