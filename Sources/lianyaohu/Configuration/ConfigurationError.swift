/// A bad configuration, said the way an operator can fix it: which file, which line, which key.
struct ConfigurationError: Error, Equatable, CustomStringConvertible {
  var file: String
  var line: Int?
  var key: String?
  var message: String

  var description: String {
    var text = file
    if let line { text += ":\(line)" }
    text += ": "
    if let key { text += "\(key): " }
    return text + message
  }
}
