import Foundation

/// Where a remote core's control API is: `--connect http://host:port`, checked once.
public struct RemoteEndpoint: Hashable, Sendable, CustomStringConvertible {
  /// Scheme, host, port and any path prefix, without a trailing slash.
  let base: String
  /// `host:port`, for the header badge and messages.
  public let description: String

  public init(_ text: String) throws(RemoteEndpointError) {
    guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
      let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https"
    else { throw RemoteEndpointError("give an http:// or https:// URL, such as http://127.0.0.1:8686") }
    guard let host = components.host, !host.isEmpty else { throw RemoteEndpointError("the URL has no host") }
    guard components.user == nil, components.password == nil else {
      // It would be shown in the badge and the logs; the token has its own option.
      throw RemoteEndpointError("credentials do not belong in the URL; use --token or LIANYAOHU_API_TOKEN")
    }
    guard components.query == nil, components.fragment == nil else {
      throw RemoteEndpointError("the URL takes no query or fragment")
    }
    if let port = components.port, !(1...65_535).contains(port) {
      throw RemoteEndpointError("port \(port) is not between 1 and 65535")
    }
    let port = components.port ?? (scheme == "https" ? 443 : 80)
    let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    var path = components.percentEncodedPath
    while path.hasSuffix("/") { path.removeLast() }
    base = "\(scheme)://\(bracketed):\(port)\(path)"
    description = "\(bracketed):\(port)"
  }

  /// The absolute URL of an API path such as `/v1/stream`.
  func url(_ path: String) -> String { base + path }
}

public struct RemoteEndpointError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
