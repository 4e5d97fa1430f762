/// A bad configuration, said the way an operator can fix it: which file, which line, which key.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
  public var file: String
  public var line: Int?
  public var key: String?
  public var message: String

  public var description: String {
    var text = file
    if let line { text += ":\(line)" }
    text += ": "
    if let key { text += "\(key): " }
    return text + message
  }
}
