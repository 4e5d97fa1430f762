import MarketCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where the Redis tier connects and how patient it is.
///
/// The defaults suit a cache beside the application: a slow Redis must not slow quotes down,
/// so commands get 250 ms and a missing server is retried in the background.
public struct RedisConfiguration: Sendable, Hashable {
  public var host: String
  public var port: Int
  /// An ACL user; `nil` authenticates as `default` when there is a password.
  public var username: String?
  public var password: Secret?
  /// The logical database every connection selects.
  public var database: Int
  /// Longest wait for a TCP connection and for the handshake after it.
  public var connectTimeout: Duration
  /// Longest wait for any reply, the whole of a pipeline included.
  public var commandTimeout: Duration
  /// Connections commands are spread over.
  public var poolSize: Int
  /// Largest reply accepted; a larger one closes the connection as a protocol error.
  public var maximumReplyBytes: Int
  /// Waits between reconnection attempts.
  public var reconnectBackoff: RedisReconnectBackoff
  /// Which protocol version to speak.
  public var protocolPreference: RedisProtocolPreference
  /// How often a subscriber connection, which only receives, pings to find out that the
  /// server vanished without closing the connection.
  public var keepAliveInterval: Duration
  /// Shown by `CLIENT LIST` on the server, to tell our connections (and which process made
  /// them) apart; `lianyaohu-<pid>` by default, `nil` sets none.
  public var clientName: String?
  /// TLS (`rediss://`); nil speaks plain TCP.
  public var tls: RedisTLS?

  public init(host: String = "127.0.0.1", port: Int = 6379) {
    self.host = host
    self.port = port
    username = nil
    password = nil
    database = 0
    connectTimeout = .seconds(1)
    commandTimeout = .milliseconds(250)
    poolSize = 4
    maximumReplyBytes = 16 << 20
    reconnectBackoff = RedisReconnectBackoff(minimum: .milliseconds(100), maximum: .seconds(10))
    protocolPreference = .resp3
    keepAliveInterval = .seconds(5)
    clientName = "lianyaohu-\(getpid())"
    tls = nil
  }

  /// Reads `redis://[user[:password]@]host[:port][/db]`, or `rediss://…` for TLS with the
  /// system's trust roots (``tls`` sets a CA file, a client certificate, a server name). User
  /// and password may be percent-encoded; `[::1]` is an IPv6 host. Errors say what is wrong
  /// without quoting the URL, which may hold the password.
  public init(url: String) throws(RedisConfigurationError) {
    self.init()
    guard let schemeEnd = url.range(of: "://") else { throw .missingScheme }
    switch url[..<schemeEnd.lowerBound].lowercased() {
    case "redis": break
    case "rediss": tls = RedisTLS()
    case let scheme: throw .unsupportedScheme(scheme)
    }
    var rest = url[schemeEnd.upperBound...]
    // The last @ ends the credentials, so a password may hold @ / : ? unencoded.
    if let at = rest.lastIndex(of: "@") {
      let credentials = rest[..<at]
      rest = rest[rest.index(after: at)...]
      let user: Substring
      let password: Substring?
      if let colon = credentials.firstIndex(of: ":") {
        user = credentials[..<colon]
        password = credentials[credentials.index(after: colon)...]
      } else {
        user = credentials
        password = nil
      }
      guard let decodedUser = Self.percentDecoded(user) else { throw .malformedCredentials }
      username = decodedUser.isEmpty ? nil : decodedUser
      if let password {
        guard let decodedPassword = Self.percentDecoded(password) else { throw .malformedCredentials }
        self.password = decodedPassword.isEmpty ? nil : Secret(decodedPassword)
      }
    }
    let path: Substring
    if let slash = rest.firstIndex(of: "/") {
      path = rest[rest.index(after: slash)...]
      rest = rest[..<slash]
    } else {
      path = ""
    }
    var portText: Substring?
    if rest.hasPrefix("[") {
      guard let close = rest.firstIndex(of: "]") else { throw .invalidHost }
      host = String(rest[rest.index(after: rest.startIndex)..<close])
      let afterHost = rest[rest.index(after: close)...]
      if !afterHost.isEmpty {
        guard afterHost.hasPrefix(":") else { throw .invalidHost }
        portText = afterHost.dropFirst()
      }
    } else if let colon = rest.lastIndex(of: ":") {
      host = String(rest[..<colon])
      portText = rest[rest.index(after: colon)...]
    } else {
      host = String(rest)
    }
    guard !host.isEmpty, !host.contains(where: { $0 == "?" || $0 == "#" || $0 == " " }) else { throw .invalidHost }
    if let portText {
      guard let port = Int(portText), (1...65535).contains(port) else { throw .invalidPort(String(portText)) }
      self.port = port
    } else {
      port = 6379
    }
    if !path.isEmpty {
      guard let database = Int(path), database >= 0 else { throw .invalidDatabase(String(path)) }
      self.database = database
    }
  }

  private static func percentDecoded(_ text: Substring) -> String? {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count)
    var iterator = text.utf8.makeIterator()
    while let byte = iterator.next() {
      guard byte == UInt8(ascii: "%") else {
        bytes.append(byte)
        continue
      }
      guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
        return nil
      }
      bytes.append(high << 4 | low)
    }
    return String(validating: bytes, as: UTF8.self)
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}

/// How a connection to Redis is secured: the server's certificate is verified against the
/// trust roots (the CA file, else the system's) and the server name (else the host); a client
/// certificate is offered when the server asks for one (`tls-auth-clients`). Files are read at
/// each connect, so renewed certificates are picked up on the next reconnect.
public struct RedisTLS: Sendable, Hashable {
  /// PEM file of the certificate authorities to trust; nil uses the system's.
  public var caFile: String?
  /// PEM client certificate (chain) and its private key, both or neither.
  public var certificateFile: String?
  public var keyFile: String?
  /// The name the server's certificate must carry; nil checks the host of the URL (an IP
  /// address is then checked against the certificate's IP addresses).
  public var serverName: String?

  public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
    self.caFile = caFile
    self.certificateFile = certificateFile
    self.keyFile = keyFile
    self.serverName = serverName
  }
}

/// The RESP version a connection speaks.
public enum RedisProtocolPreference: Sendable, Hashable {
  /// `HELLO 3`, falling back to RESP2 (`AUTH`) when the server refuses it.
  case resp3
  /// RESP2 only: never sends `HELLO`.
  case resp2
}

/// Why a Redis URL cannot be used. Never quotes the URL: it may hold a password.
public enum RedisConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
  case missingScheme
  case unsupportedScheme(String)
  case malformedCredentials
  case invalidHost
  case invalidPort(String)
  case invalidDatabase(String)

  public var description: String {
    switch self {
    case .missingScheme: "a Redis URL starts with redis:// (redis://[user[:password]@]host[:port][/db])"
    case .unsupportedScheme(let scheme): "unsupported URL scheme '\(scheme)': use redis:// or rediss:// (TLS)"
    case .malformedCredentials: "the user or password in the Redis URL is not valid percent-encoding"
    case .invalidHost: "the Redis URL has no valid host"
    case .invalidPort(let port): "invalid Redis port '\(port)': expected 1-65535"
    case .invalidDatabase(let database): "invalid Redis database '\(database)': expected a number from 0"
    }
  }
}
