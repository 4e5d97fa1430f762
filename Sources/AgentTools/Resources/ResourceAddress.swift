import Foundation
import MCP
import MarketCore

/// What a `lianyaohu://` URI names. Symbols travel percent-encoded (`lianyaohu://quotes/%5EVIX`);
/// either form is accepted on the way in.
enum ResourceAddress: Hashable, Sendable {
  case immortals
  case immortal(ImmortalID)
  case quote(Symbol)

  static let scheme = "lianyaohu://"

  init(uri: String) throws(MCPError) {
    guard uri.hasPrefix(Self.scheme) else { throw Self.notFound(uri) }
    let path = uri.dropFirst(Self.scheme.count)
    if path == "immortals" {
      self = .immortals
    } else if path.hasPrefix("immortals/") {
      guard let id = ImmortalID(rawValue: String(path.dropFirst("immortals/".count))) else { throw Self.notFound(uri) }
      self = .immortal(id)
    } else if path.hasPrefix("quotes/") {
      let raw = String(path.dropFirst("quotes/".count))
      let text = raw.contains("%") ? (raw.removingPercentEncoding ?? raw) : raw
      do {
        self = .quote(try Symbol(validating: text))
      } catch {
        throw MCPError.serverError(code: Self.resourceNotFound, message: "Resource not found: invalid symbol: \(error)")
      }
    } else {
      throw Self.notFound(uri)
    }
  }

  var uri: String {
    switch self {
    case .immortals: Self.scheme + "immortals"
    case .immortal(let id): Self.scheme + "immortals/" + id.rawValue
    case .quote(let symbol): Self.scheme + "quotes/" + Self.percentEncoded(symbol.text)
    }
  }

  /// The JSON-RPC code MCP gives a resource that does not exist.
  static let resourceNotFound = -32002

  static func notFound(_ uri: String) -> MCPError {
    .serverError(
      code: resourceNotFound,
      message: "Resource not found: \(Excerpt.printable(uri, limit: 64)); known: lianyaohu://immortals, "
        + "lianyaohu://immortals/{id}, lianyaohu://quotes/{symbol}")
  }

  /// Everything but unreserved characters escaped (`^` is `%5E`, `=` is `%3D`).
  static func percentEncoded(_ text: String) -> String {
    var result = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
        result.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        result.unicodeScalars.append("%")
        result.unicodeScalars.append(hex[Int(byte >> 4)])
        result.unicodeScalars.append(hex[Int(byte & 0x0F)])
      }
    }
    return result
  }
}
