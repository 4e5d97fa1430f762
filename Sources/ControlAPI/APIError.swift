import ControlAPIClient
import Hummingbird
import MarketCore
import NIOCore

/// An error a route answers with: a status and the JSON body `{"error":{"class","message"}}`.
/// The class is stable for programs; the message is for people and never echoes a secret or
/// more than a short, printable excerpt of what the client sent.
public struct APIError: Error, HTTPResponseError, Sendable {
  public var status: HTTPResponse.Status
  public var errorClass: String
  public var message: String
  public var headers: HTTPFields

  public init(_ status: HTTPResponse.Status, _ errorClass: String, _ message: String, headers: HTTPFields = [:]) {
    self.status = status
    self.errorClass = errorClass
    self.message = message
    self.headers = headers
  }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    response()
  }

  func response() -> Response {
    var response = JSONBody.response(ErrorEnvelope(error: ErrorDetail(errorClass: errorClass, message: message)), status: status)
    response.headers.append(contentsOf: headers)
    return response
  }

  static func badRequest(_ errorClass: String, _ message: String) -> APIError { APIError(.badRequest, errorClass, message) }
  static func notFound(_ errorClass: String, _ message: String) -> APIError { APIError(.notFound, errorClass, message) }
}

extension APIError {
  /// The status and class for a quote the core could not serve.
  init(_ error: ReadError) {
    if let limit = error.rateLimit {
      // 429 with the wait, as a provider itself would answer: a client backs off instead of
      // treating the service as broken.
      var headers: HTTPFields = [:]
      if let wait = limit.retryAfter { headers[.retryAfter] = String(max(1, Int(wait.seconds.rounded(.up)))) }
      self.init(.tooManyRequests, error.errorClass, error.description, headers: headers)
      return
    }
    switch error {
    case .invalidSymbol: self.init(.badRequest, error.errorClass, error.description)
    case .unknownSymbol: self.init(.notFound, error.errorClass, error.description)
    case .noProviderAvailable: self.init(.serviceUnavailable, error.errorClass, error.description)
    case .allProvidersFailed: self.init(.badGateway, error.errorClass, error.description)
    case .cancelled: self.init(.serviceUnavailable, error.errorClass, "the request was cancelled")
    }
  }

  init(_ error: WatchlistError) {
    switch error {
    case .notOnWatchlist: self.init(.conflict, "not_on_watchlist", error.description)
    case .alreadyOnWatchlist: self.init(.conflict, "already_on_watchlist", error.description)
    case .full: self.init(.conflict, "watchlist_full", error.description)
    }
  }

  init(_ error: OperatorError) {
    switch error {
    case .unknownProvider: self.init(.notFound, "unknown_provider", error.description)
    case .watchlist(let error): self.init(error)
    }
  }
}

/// A short excerpt of client input that is safe to put in a message: printable ASCII only,
/// at most `limit` characters.
func printableExcerpt(_ text: some StringProtocol, limit: Int = 32) -> String {
  var result = ""
  for scalar in text.unicodeScalars.prefix(limit) {
    result.append(scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F ? Character(scalar) : "?")
  }
  return text.unicodeScalars.count > limit ? result + "…" : result
}
