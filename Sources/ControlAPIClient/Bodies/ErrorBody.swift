/// `{"error":{"class":"...","message":"..."}}`
public struct ErrorEnvelope: Codable, Sendable {
  public var error: ErrorDetail

  public init(error: ErrorDetail) { self.error = error }
}

public struct ErrorDetail: Codable, Sendable {
  public var errorClass: String
  public var message: String

  public init(errorClass: String, message: String) {
    self.errorClass = errorClass
    self.message = message
  }

  enum CodingKeys: String, CodingKey {
    case errorClass = "class"
    case message
  }
}

extension Double {
  /// JSON has no NaN or infinity; a provider glitch must not turn a response into a 500.
  public var finite: Double? { isFinite ? self : nil }
}
